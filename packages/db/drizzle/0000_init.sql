CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_entries" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"account_id" text,
	"user_id" text,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"summary" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clouds" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"cloud_type" text NOT NULL,
	"region" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "images" (
	"id" text PRIMARY KEY NOT NULL,
	"cloud_id" text NOT NULL,
	"resource_uid" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"os_family" text DEFAULT '' NOT NULL,
	"os_version" text DEFAULT '' NOT NULL,
	"cpu_architecture" text NOT NULL,
	"virtualization_type" text DEFAULT '' NOT NULL,
	"root_device_type" text DEFAULT '' NOT NULL,
	"visibility" text NOT NULL,
	"owner_account_id" text,
	"launch_permissions" text[] DEFAULT '{}'::text[] NOT NULL,
	"state" text DEFAULT 'available' NOT NULL,
	"deprecated_at" timestamp with time zone,
	"replacement_image_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "images_visibility_check" CHECK ("images"."visibility" in ('public', 'private')),
	CONSTRAINT "images_state_check" CHECK ("images"."state" in ('available', 'deprecated', 'unavailable')),
	CONSTRAINT "images_private_owner_check" CHECK ("images"."visibility" = 'public' or "images"."owner_account_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "installation" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_types" (
	"id" text PRIMARY KEY NOT NULL,
	"cloud_id" text NOT NULL,
	"resource_uid" text NOT NULL,
	"name" text NOT NULL,
	"cpu_count" integer NOT NULL,
	"memory_mb" integer NOT NULL,
	"cpu_architectures" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"account_id" text NOT NULL,
	"user_id" text NOT NULL,
	"roles" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_account_id_user_id_pk" PRIMARY KEY("account_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"is_superuser" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "images" ADD CONSTRAINT "images_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "images" ADD CONSTRAINT "images_owner_account_id_accounts_id_fk" FOREIGN KEY ("owner_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_types" ADD CONSTRAINT "instance_types_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_name_key" ON "accounts" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_user_idx" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_entries_id_key" ON "audit_entries" USING btree ("id");--> statement-breakpoint
CREATE INDEX "audit_entries_account_seq_idx" ON "audit_entries" USING btree ("account_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "clouds_name_key" ON "clouds" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "images_cloud_resource_uid_key" ON "images" USING btree ("cloud_id","resource_uid");--> statement-breakpoint
CREATE INDEX "images_cloud_name_id_idx" ON "images" USING btree ("cloud_id","name","id");--> statement-breakpoint
CREATE INDEX "images_owner_idx" ON "images" USING btree ("owner_account_id");--> statement-breakpoint
CREATE INDEX "images_launch_permissions_idx" ON "images" USING gin ("launch_permissions");--> statement-breakpoint
CREATE UNIQUE INDEX "instance_types_cloud_resource_uid_key" ON "instance_types" USING btree ("cloud_id","resource_uid");--> statement-breakpoint
CREATE INDEX "instance_types_cloud_name_id_idx" ON "instance_types" USING btree ("cloud_id","name","id");--> statement-breakpoint
CREATE INDEX "memberships_user_idx" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));