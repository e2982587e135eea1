CREATE TABLE "deployments" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mci_lineages" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"last_revision" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mci_settings" (
	"mci_id" text NOT NULL,
	"cloud_id" text NOT NULL,
	"image_id" text NOT NULL,
	"instance_type_id" text NOT NULL,
	"user_data" text,
	CONSTRAINT "mci_settings_mci_id_cloud_id_pk" PRIMARY KEY("mci_id","cloud_id")
);
--> statement-breakpoint
CREATE TABLE "mcis" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" integer NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"commit_message" text,
	"committed_by" text,
	"committed_at" timestamp with time zone,
	"base_revision" integer,
	"cloned_from" text,
	"imported_from" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"lineage_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "server_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" integer NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"commit_message" text,
	"committed_by" text,
	"committed_at" timestamp with time zone,
	"base_revision" integer,
	"cloned_from" text,
	"imported_from" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"lineage_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "servers" (
	"id" text PRIMARY KEY NOT NULL,
	"deployment_id" text NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"cloud_id" text NOT NULL,
	"server_template_id" text NOT NULL,
	"mci_id" text NOT NULL,
	"image_id" text NOT NULL,
	"instance_type_id" text NOT NULL,
	"user_data" text,
	"inherited_mci" text NOT NULL,
	"inherited_image" text NOT NULL,
	"inherited_instance_type" text NOT NULL,
	"state" text DEFAULT 'inactive' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "server_template_lineages" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"last_revision" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "server_template_mci_links" (
	"id" text PRIMARY KEY NOT NULL,
	"template_id" text NOT NULL,
	"mci_id" text NOT NULL,
	"mci_lineage_id" text NOT NULL,
	"is_default" boolean NOT NULL,
	"position" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mci_lineages" ADD CONSTRAINT "mci_lineages_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mci_settings" ADD CONSTRAINT "mci_settings_mci_id_mcis_id_fk" FOREIGN KEY ("mci_id") REFERENCES "public"."mcis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mci_settings" ADD CONSTRAINT "mci_settings_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mci_settings" ADD CONSTRAINT "mci_settings_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mci_settings" ADD CONSTRAINT "mci_settings_instance_type_id_instance_types_id_fk" FOREIGN KEY ("instance_type_id") REFERENCES "public"."instance_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mcis" ADD CONSTRAINT "mcis_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mcis" ADD CONSTRAINT "mcis_lineage_id_mci_lineages_id_fk" FOREIGN KEY ("lineage_id") REFERENCES "public"."mci_lineages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "server_templates" ADD CONSTRAINT "server_templates_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "server_templates" ADD CONSTRAINT "server_templates_lineage_id_server_template_lineages_id_fk" FOREIGN KEY ("lineage_id") REFERENCES "public"."server_template_lineages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "servers" ADD CONSTRAINT "servers_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "servers" ADD CONSTRAINT "servers_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "servers" ADD CONSTRAINT "servers_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "servers" ADD CONSTRAINT "servers_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "servers" ADD CONSTRAINT "servers_instance_type_id_instance_types_id_fk" FOREIGN KEY ("instance_type_id") REFERENCES "public"."instance_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "server_template_lineages" ADD CONSTRAINT "server_template_lineages_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "server_template_mci_links" ADD CONSTRAINT "server_template_mci_links_template_id_server_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."server_templates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "server_template_mci_links" ADD CONSTRAINT "server_template_mci_links_mci_id_mcis_id_fk" FOREIGN KEY ("mci_id") REFERENCES "public"."mcis"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_account_name_key" ON "deployments" USING btree ("account_id","name");--> statement-breakpoint
CREATE INDEX "mci_settings_image_idx" ON "mci_settings" USING btree ("image_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mcis_lineage_revision_key" ON "mcis" USING btree ("lineage_id","revision");--> statement-breakpoint
CREATE INDEX "mcis_account_name_id_idx" ON "mcis" USING btree ("account_id","name","id");--> statement-breakpoint
CREATE UNIQUE INDEX "server_templates_lineage_revision_key" ON "server_templates" USING btree ("lineage_id","revision");--> statement-breakpoint
CREATE INDEX "server_templates_account_name_id_idx" ON "server_templates" USING btree ("account_id","name","id");--> statement-breakpoint
CREATE INDEX "servers_deployment_name_id_idx" ON "servers" USING btree ("deployment_id","name","id");--> statement-breakpoint
CREATE INDEX "servers_mci_idx" ON "servers" USING btree ("mci_id");--> statement-breakpoint
CREATE INDEX "servers_template_idx" ON "servers" USING btree ("server_template_id");--> statement-breakpoint
CREATE UNIQUE INDEX "template_links_template_lineage_key" ON "server_template_mci_links" USING btree ("template_id","mci_lineage_id");--> statement-breakpoint
CREATE UNIQUE INDEX "template_links_one_default_key" ON "server_template_mci_links" USING btree ("template_id") WHERE "server_template_mci_links"."is_default";--> statement-breakpoint
CREATE INDEX "template_links_mci_idx" ON "server_template_mci_links" USING btree ("mci_id");--> statement-breakpoint
CREATE INDEX "template_links_lineage_idx" ON "server_template_mci_links" USING btree ("mci_lineage_id");