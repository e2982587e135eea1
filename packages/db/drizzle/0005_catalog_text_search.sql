-- Trigram text search over images (ADR 013): pg_trgm for the trigrams, btree_gin to put cloud_id in the same GIN index.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE INDEX "images_cloud_search_trgm_idx" ON "images" USING gin ("cloud_id",("name" || chr(31) || "resource_uid") gin_trgm_ops);