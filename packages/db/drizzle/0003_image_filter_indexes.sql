CREATE INDEX "images_cloud_os_name_id_idx" ON "images" USING btree ("cloud_id","os_family","name","id");--> statement-breakpoint
CREATE INDEX "images_cloud_arch_name_id_idx" ON "images" USING btree ("cloud_id","cpu_architecture","name","id");--> statement-breakpoint
CREATE INDEX "images_cloud_state_name_id_idx" ON "images" USING btree ("cloud_id","state","name","id");--> statement-breakpoint
CREATE INDEX "images_cloud_visibility_name_id_idx" ON "images" USING btree ("cloud_id","visibility","name","id");