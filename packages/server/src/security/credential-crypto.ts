import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The file in DATA_DIR that holds the generated key when SECRET_KEY is not set (mode 0600). */
export const SECRET_KEY_FILE = 'secret.key';

/** The key that encrypts cloud credentials at rest (R-CLD-1), with a short id to tell keys apart. */
export interface SecretKey {
  key: Buffer;
  /** 8 hex digits of a hash of the key: stored beside every ciphertext, never the key itself. */
  id: string;
  /** Where it came from: `SECRET_KEY` or the generated file's path. */
  source: string;
}

function keyFrom(material: string, source: string): SecretKey {
  const key = Buffer.from(hkdfSync('sha256', material, 'multicloud-images', 'cloud-credentials v1', 32));
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 8), source };
}

/**
 * SECRET_KEY when set; otherwise the key generated on first start into `DATA_DIR/secret.key`
 * (32 random bytes, mode 0600) and read from there afterwards. Several processes on one
 * PostgreSQL must share one SECRET_KEY (each would otherwise generate its own).
 */
export async function loadSecretKey(secretKey: string | undefined, dataDir: string): Promise<SecretKey> {
  if (secretKey) return keyFrom(secretKey, 'SECRET_KEY');
  const file = path.resolve(dataDir, SECRET_KEY_FILE);
  try {
    return keyFrom((await readFile(file, 'utf8')).trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const material = randomBytes(32).toString('base64');
  try {
    // `wx`: of two first starts at once, one writes and the other reads what it wrote.
    await writeFile(file, `${material}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return keyFrom((await readFile(file, 'utf8')).trim(), file);
  }
  await chmod(file, 0o600);
  return keyFrom(material, file);
}

/** A key for tests: derived from a fixed string, never written anywhere. */
export function testSecretKey(material = 'test secret key'): SecretKey {
  return keyFrom(material, 'test');
}

/** A stored secret cannot be read with the current key (the key changed, or the text was altered). */
export class SecretUnreadableError extends Error {
  constructor(
    message: string,
    readonly storedKeyId: string,
  ) {
    super(message);
    this.name = 'SecretUnreadableError';
  }
}

const FORMAT = 'v1';

/** AES-256-GCM with a fresh 96-bit IV: `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). */
export function encryptSecret(key: SecretKey, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return [FORMAT, key.id, ...parts].join('.');
}

/**
 * Decrypts what {@link encryptSecret} wrote. `associatedData` binds the ciphertext to its row (the
 * credential id), so a secret copied to another row does not decrypt. A different key, or altered
 * text, is a {@link SecretUnreadableError} with a sentence saying what to do, never a crash.
 */
export function decryptSecret(key: SecretKey, stored: string, associatedData: string): string {
  const [format, keyId = '', iv, tag, data] = stored.split('.');
  if (format !== FORMAT || !iv || !tag || data === undefined)
    throw new SecretUnreadableError('the stored credentials are not in a format this version reads', keyId);
  if (keyId !== key.id)
    throw new SecretUnreadableError(
      `the credentials were encrypted with another SECRET_KEY (key id ${keyId}; this server's is ${key.id}): ` +
        'restore that key, or enter the credentials again',
      keyId,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SecretUnreadableError(
      'the stored credentials fail their integrity check: enter them again',
      keyId,
    );
  }
}
