/** Named limits shared by validation, storage and the OpenAPI document. */
export const LIMITS = {
  nameLength: 255,
  descriptionLength: 4096,
  emailLength: 320,
  passwordMinLength: 10,
  passwordMaxLength: 1024,
  resourceUidLength: 255,
  userDataBytes: 16 * 1024,
  pageSizeDefault: 50,
  pageSizeMax: 500,
  bodyBytes: 1024 * 1024,
  bulkImagesMax: 10_000,
  tagsMax: 50,
  tagLength: 64,
  launchPermissionsMax: 1000,
  tokenNameLength: 100,
  sessionTtlHours: 12,
} as const;
