CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("district_id","actor_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_subjects_idx" ON "audit_events" USING gin ("subject_ids" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "audit_events_target_idx" ON "audit_events" USING btree ("district_id","target_type","target_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("district_id","at");