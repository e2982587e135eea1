CREATE TABLE "cloud_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"cloud_type" text NOT NULL,
	"secret" text NOT NULL,
	"fingerprint" text NOT NULL,
	"access_key_hint" text DEFAULT '' NOT NULL,
	"endpoint" text,
	"role_arn" text,
	"principal" text,
	"sync_owners" text[] DEFAULT '{self}'::text[] NOT NULL,
	"sync_name_filters" text[] DEFAULT '{}'::text[] NOT NULL,
	"last_used_at" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp with time zone,
	"created_by" text
);
--> statement-breakpoint
CREATE TABLE "image_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"image_id" text NOT NULL,
	"cloud_id" text NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"job_id" text,
	"impact" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"account_id" text,
	"cloud_id" text,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"checkpoint" jsonb,
	"result" jsonb,
	"progress_done" integer DEFAULT 0 NOT NULL,
	"progress_total" integer,
	"phase" text DEFAULT '' NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" in ('queued', 'running', 'succeeded', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "sync_seen" (
	"job_id" text NOT NULL,
	"scope" text NOT NULL,
	"resource_uid" text NOT NULL,
	CONSTRAINT "sync_seen_job_id_scope_resource_uid_pk" PRIMARY KEY("job_id","scope","resource_uid")
);
--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "driver" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "sync_owners" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "sync_name_filters" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "sync_interval_seconds" integer;--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "last_synced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "unavailable_reason" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "unavailable_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "sync_scope" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "owner_principal" text;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "unknown_principals" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "state_reason" text;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "state_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "provider_instance_id" text;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "launched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "launch_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "running_image_id" text;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "running_instance_type_id" text;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "running_user_data" text;--> statement-breakpoint
ALTER TABLE "cloud_credentials" ADD CONSTRAINT "cloud_credentials_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "image_changes" ADD CONSTRAINT "image_changes_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "image_changes" ADD CONSTRAINT "image_changes_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_seen" ADD CONSTRAINT "sync_seen_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "cloud_credentials_account_type_key" ON "cloud_credentials" USING btree ("account_id","cloud_type");--> statement-breakpoint
CREATE INDEX "cloud_credentials_type_principal_idx" ON "cloud_credentials" USING btree ("cloud_type","principal");--> statement-breakpoint
CREATE INDEX "image_changes_image_at_idx" ON "image_changes" USING btree ("image_id","at");--> statement-breakpoint
CREATE INDEX "image_changes_cloud_at_idx" ON "image_changes" USING btree ("cloud_id","at");--> statement-breakpoint
CREATE INDEX "jobs_runnable_idx" ON "jobs" USING btree ("run_after") WHERE "jobs"."state" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "jobs_account_created_idx" ON "jobs" USING btree ("account_id","created_at","id");--> statement-breakpoint
CREATE INDEX "jobs_cloud_created_idx" ON "jobs" USING btree ("cloud_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_one_active_sync_key" ON "jobs" USING btree ("cloud_id") WHERE "jobs"."kind" = 'cloud_sync' and "jobs"."state" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "images_cloud_sync_scope_idx" ON "images" USING btree ("cloud_id","sync_scope");--> statement-breakpoint
CREATE INDEX "servers_image_idx" ON "servers" USING btree ("image_id");--> statement-breakpoint
CREATE INDEX "servers_cloud_state_idx" ON "servers" USING btree ("cloud_id","state");--> statement-breakpoint
ALTER TABLE "clouds" ADD CONSTRAINT "clouds_driver_check" CHECK ("clouds"."driver" in ('none', 'simulated', 'aws'));--> statement-breakpoint
-- Before R-LCH, clients set a server's state by hand: nothing ever ran, so every server starts inactive.
UPDATE "servers" SET "state" = 'inactive' WHERE "state" <> 'inactive';--> statement-breakpoint
UPDATE "clouds" SET "driver" = 'simulated' WHERE "cloud_type" = 'simulated';
