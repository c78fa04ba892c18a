/* schema.c: the database schema as an ordered list of migrations.
 *
 * A migration is never edited once released: a change is a new entry at the end. Each runs in
 * its own write transaction together with the update of meta.schema_version, so a crash
 * leaves the schema at a whole version. Conventions (architecture.md): public ids are random
 * UUID text in `id`, the integer rowid never leaves the store; instants are UTC epoch ms;
 * dates `YYYY-MM-DD` text; money integer fen. Personal fields (ID number, phone, address,
 * disability certificate, guardian phones) are stored only encrypted (`*_enc`, see
 * sec/crypto.h) with a masked form for display; the ID number is found by its keyed blind
 * index `id_bidx`. The audit table is append-only: triggers refuse UPDATE and DELETE, and the
 * keyed hash chain (sec/audit.c) detects anyone who gets around them. */
#include "store/db.h"
#include "base/log.h"
#include <stdio.h>
#include <stdlib.h>

static const char *const migrations[] = {
  /* 1: foundation */
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE region ("
  "  code TEXT PRIMARY KEY, name TEXT NOT NULL, level INTEGER NOT NULL, parent TEXT,"
  "  has_children INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
  "CREATE INDEX region_parent ON region(parent, code);"
  "CREATE INDEX region_name ON region(name);"
  "CREATE TABLE organization ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL,"
  "  region TEXT NOT NULL, address TEXT NOT NULL, lat REAL, lng REAL, capacity INTEGER NOT NULL DEFAULT 0,"
  "  operating_mode TEXT, functions TEXT NOT NULL DEFAULT '[]', services TEXT NOT NULL DEFAULT '[]',"
  "  phone TEXT, contact TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE INDEX organization_region ON organization(region);"
  "CREATE INDEX organization_kind ON organization(kind, region);"
  "CREATE INDEX organization_name ON organization(name);"
  "CREATE TABLE client ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, sex INTEGER NOT NULL,"
  "  birth_date TEXT NOT NULL, id_bidx BLOB NOT NULL UNIQUE, id_enc BLOB NOT NULL, id_masked TEXT NOT NULL,"
  "  phone_enc BLOB, phone_masked TEXT, address_enc BLOB, address_masked TEXT,"
  "  residence_region TEXT NOT NULL, hukou_region TEXT, diagnosis TEXT, severe INTEGER NOT NULL DEFAULT 0,"
  "  disability_enc BLOB, disability_masked TEXT, disability_category INTEGER, disability_grade INTEGER,"
  "  guardians TEXT NOT NULL DEFAULT '[]', organization_rid INTEGER REFERENCES organization(rid),"
  "  status TEXT NOT NULL DEFAULT 'registered', notes TEXT, created_by TEXT,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE INDEX client_region ON client(residence_region);"
  "CREATE INDEX client_org ON client(organization_rid);"
  "CREATE INDEX client_name ON client(name, birth_date, residence_region);"
  "CREATE TABLE app_user ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, username TEXT NOT NULL UNIQUE,"
  "  display_name TEXT NOT NULL, role TEXT NOT NULL, region TEXT, organization_rid INTEGER REFERENCES organization(rid),"
  "  pw_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, failed_count INTEGER NOT NULL DEFAULT 0,"
  "  locked_until INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE TABLE session ("
  "  token_hash BLOB PRIMARY KEY, user_rid INTEGER NOT NULL REFERENCES app_user(rid), csrf TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, ended_at INTEGER) WITHOUT ROWID;"
  "CREATE TABLE api_token ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, token_hash BLOB NOT NULL UNIQUE,"
  "  user_rid INTEGER NOT NULL REFERENCES app_user(rid), name TEXT NOT NULL, created_at INTEGER NOT NULL,"
  "  revoked_at INTEGER);"
  "CREATE TABLE audit ("
  "  seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, user_id TEXT, username TEXT, role TEXT,"
  "  action TEXT NOT NULL, object_type TEXT, object_id TEXT, result TEXT NOT NULL, request_id TEXT,"
  "  detail TEXT, hash BLOB NOT NULL);"
  "CREATE INDEX audit_object ON audit(object_type, object_id, seq);"
  "CREATE INDEX audit_user ON audit(username, seq);"
  "CREATE INDEX audit_time ON audit(time);"
  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;",

  /* 2: closed-loop referral. The calendar holds the official exceptions to the Monday–Friday
   * week (off = 1: a holiday on a weekday; off = 0: a 调休 working weekend day). Rule sets are
   * per region ('' = the national default) as JSON (domain/eligibility.h). A referral's
   * `region` is the client's residence region when it was last routed; `org_rid` the
   * organization that holds the next step (the receiving institution, or the hospital on a
   * relapse); `due_at` the deadline of the current step. Webhook deliveries are an outbox
   * written in the same transaction as the event they announce. */
  "CREATE TABLE holiday (date TEXT PRIMARY KEY, off INTEGER NOT NULL, name TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE calendar_year (year INTEGER PRIMARY KEY, source TEXT NOT NULL, updated_at INTEGER NOT NULL,"
  "  updated_by TEXT);"
  "CREATE TABLE rule_set (region TEXT PRIMARY KEY, rules TEXT NOT NULL, updated_at INTEGER NOT NULL,"
  "  updated_by TEXT) WITHOUT ROWID;"
  "CREATE TABLE referral ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, receipt TEXT UNIQUE,"
  "  client_rid INTEGER NOT NULL REFERENCES client(rid), region TEXT NOT NULL, source TEXT NOT NULL,"
  "  reporter TEXT, from_org_rid INTEGER REFERENCES organization(rid),"
  "  org_rid INTEGER REFERENCES organization(rid), prev_org_rid INTEGER REFERENCES organization(rid),"
  "  status TEXT NOT NULL, need TEXT NOT NULL, consent TEXT, assessment TEXT, informed_consent TEXT,"
  "  agreement TEXT, outcome TEXT, outcome_detail TEXT, urgent INTEGER NOT NULL DEFAULT 0, due_at INTEGER,"
  "  waitlisted_at INTEGER, reviewed_at INTEGER, followup_due INTEGER, followup_done INTEGER,"
  "  overdue_sent INTEGER NOT NULL DEFAULT 0, lat REAL, lng REAL,"
  "  idem_key TEXT, idem_hash BLOB, created_by TEXT, submitted_at INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE INDEX referral_work ON referral(status, region, due_at, urgent, updated_at, org_rid, from_org_rid,"
  "  source, client_rid, followup_due, followup_done);"
  "CREATE INDEX referral_org ON referral(org_rid, status);"
  "CREATE INDEX referral_from ON referral(from_org_rid, status);"
  "CREATE INDEX referral_client ON referral(client_rid);"
  "CREATE INDEX referral_due ON referral(due_at) WHERE due_at IS NOT NULL;"
  "CREATE INDEX referral_wait ON referral(waitlisted_at) WHERE status = 'waitlisted';"
  "CREATE UNIQUE INDEX referral_idem ON referral(created_by, idem_key) WHERE idem_key IS NOT NULL;"
  "CREATE TABLE referral_event ("
  "  rid INTEGER PRIMARY KEY, referral_rid INTEGER NOT NULL REFERENCES referral(rid), time INTEGER NOT NULL,"
  "  action TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, actor_id TEXT, actor_name TEXT,"
  "  actor_role TEXT, org_rid INTEGER REFERENCES organization(rid), reason TEXT, detail TEXT);"
  "CREATE INDEX referral_event_referral ON referral_event(referral_rid, rid);"
  "CREATE TABLE webhook ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL, secret_enc BLOB NOT NULL,"
  "  events TEXT NOT NULL, region TEXT, active INTEGER NOT NULL DEFAULT 1, created_by TEXT,"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE webhook_delivery ("
  "  rid INTEGER PRIMARY KEY, webhook_rid INTEGER NOT NULL REFERENCES webhook(rid), event TEXT NOT NULL,"
  "  payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_at INTEGER NOT NULL, last_status INTEGER, last_error TEXT, created_at INTEGER NOT NULL,"
  "  done_at INTEGER);"
  "CREATE INDEX webhook_delivery_due ON webhook_delivery(next_at) WHERE state = 'pending';",

  /* 3: care. Instruments are versioned definitions (domain/instrument.h); an assessment keeps
   * the instrument version it was scored with. Assessments and rehab plans are append-only (a
   * correction or a new plan is a new row of the same `series` with the next `version`; triggers
   * refuse UPDATE and DELETE). care_due holds the next due date of each recurring item of a
   * client (follow-up, periodic assessment, plan review) for the work lists; alert the flags
   * that must reach the client's institution. A service record is one session (individual or
   * group) with one attendance row per client, which carries the date and type again so that a
   * client's file and ledger are one index range. Staff belong to an organization (or, for
   * referral workers, a region); `region` is always filled so that scope is one comparison. */
  "CREATE TABLE instrument (id TEXT NOT NULL, version INTEGER NOT NULL, definition TEXT NOT NULL,"
  "  loaded_at INTEGER NOT NULL, PRIMARY KEY (id, version)) WITHOUT ROWID;"
  "CREATE TABLE staff ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, org_rid INTEGER REFERENCES organization(rid),"
  "  region TEXT NOT NULL, name TEXT NOT NULL, profession TEXT NOT NULL, degree TEXT, major TEXT,"
  "  major_field TEXT NOT NULL DEFAULT 'other', direct_service INTEGER NOT NULL DEFAULT 1,"
  "  referral_worker INTEGER NOT NULL DEFAULT 0, certificates TEXT NOT NULL DEFAULT '[]',"
  "  active INTEGER NOT NULL DEFAULT 1, hired_on TEXT, created_by TEXT,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE INDEX staff_org ON staff(org_rid, active, name);"
  "CREATE INDEX staff_region ON staff(region, active);"
  "CREATE TABLE training ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, staff_rid INTEGER NOT NULL REFERENCES staff(rid),"
  "  kind TEXT NOT NULL, date TEXT NOT NULL, hours_x10 INTEGER NOT NULL, topic TEXT NOT NULL, provider TEXT,"
  "  needs_assessment INTEGER NOT NULL DEFAULT 0, created_by TEXT, created_at INTEGER NOT NULL);"
  "CREATE INDEX training_staff ON training(staff_rid, date);"
  "CREATE TABLE assessment ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, series TEXT NOT NULL, version INTEGER NOT NULL,"
  "  client_rid INTEGER NOT NULL REFERENCES client(rid), org_rid INTEGER REFERENCES organization(rid),"
  "  instrument TEXT NOT NULL, instrument_version INTEGER NOT NULL, date TEXT NOT NULL, answers TEXT NOT NULL,"
  "  score INTEGER, band TEXT, band_label TEXT, flags TEXT NOT NULL DEFAULT '[]', signatures TEXT, next_due TEXT,"
  "  outcome TEXT, author_id TEXT NOT NULL, author_name TEXT NOT NULL, reason TEXT, created_at INTEGER NOT NULL,"
  "  UNIQUE (series, version));"
  "CREATE INDEX assessment_client ON assessment(client_rid, date, rid);"
  "CREATE TRIGGER assessment_no_update BEFORE UPDATE ON assessment BEGIN SELECT RAISE(ABORT, 'assessments are immutable'); END;"
  "CREATE TRIGGER assessment_no_delete BEFORE DELETE ON assessment BEGIN SELECT RAISE(ABORT, 'assessments are immutable'); END;"
  "CREATE TABLE rehab_plan ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, series TEXT NOT NULL, version INTEGER NOT NULL,"
  "  client_rid INTEGER NOT NULL REFERENCES client(rid), org_rid INTEGER REFERENCES organization(rid),"
  "  start_date TEXT NOT NULL, review_date TEXT NOT NULL, goals TEXT NOT NULL, services TEXT NOT NULL, note TEXT,"
  "  author_id TEXT NOT NULL, author_name TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (series, version));"
  "CREATE INDEX rehab_plan_client ON rehab_plan(client_rid, rid);"
  "CREATE TRIGGER rehab_plan_no_update BEFORE UPDATE ON rehab_plan BEGIN SELECT RAISE(ABORT, 'plans are immutable'); END;"
  "CREATE TRIGGER rehab_plan_no_delete BEFORE DELETE ON rehab_plan BEGIN SELECT RAISE(ABORT, 'plans are immutable'); END;"
  "CREATE TABLE care_due ("
  "  client_rid INTEGER NOT NULL REFERENCES client(rid), kind TEXT NOT NULL, due_date TEXT NOT NULL,"
  "  org_rid INTEGER REFERENCES organization(rid), region TEXT NOT NULL, PRIMARY KEY (client_rid, kind)) WITHOUT ROWID;"
  "CREATE INDEX care_due_org ON care_due(org_rid, due_date);"
  "CREATE INDEX care_due_region ON care_due(region, due_date);"
  "CREATE TABLE alert ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, client_rid INTEGER NOT NULL REFERENCES client(rid),"
  "  org_rid INTEGER REFERENCES organization(rid), region TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,"
  "  assessment_rid INTEGER REFERENCES assessment(rid), created_at INTEGER NOT NULL, ack_by TEXT, ack_at INTEGER,"
  "  ack_note TEXT);"
  "CREATE INDEX alert_org ON alert(org_rid, ack_at, rid);"
  "CREATE INDEX alert_client ON alert(client_rid, rid);"
  "CREATE TABLE service_record ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, org_rid INTEGER NOT NULL REFERENCES organization(rid),"
  "  type TEXT NOT NULL, mode TEXT NOT NULL, date TEXT NOT NULL, duration_minutes INTEGER NOT NULL,"
  "  place TEXT NOT NULL, staff TEXT NOT NULL, topic TEXT, content TEXT, n_clients INTEGER NOT NULL,"
  "  n_attended INTEGER NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL);"
  "CREATE INDEX service_record_org ON service_record(org_rid, date, rid);"
  "CREATE TABLE service_attendance ("
  "  client_rid INTEGER NOT NULL REFERENCES client(rid), date TEXT NOT NULL,"
  "  record_rid INTEGER NOT NULL REFERENCES service_record(rid), type TEXT NOT NULL, attended INTEGER NOT NULL,"
  "  PRIMARY KEY (client_rid, date, record_rid)) WITHOUT ROWID;"
  "CREATE INDEX service_attendance_record ON service_attendance(record_rid);"
  "CREATE TABLE care_team ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, client_rid INTEGER NOT NULL REFERENCES client(rid),"
  "  role TEXT NOT NULL, name TEXT NOT NULL, phone_enc BLOB, phone_masked TEXT, unit TEXT,"
  "  responsible INTEGER NOT NULL DEFAULT 0, next_step TEXT, next_step_due TEXT,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE INDEX care_team_client ON care_team(client_rid, rid);",
  /* 4: two-factor login (sec/totp.h) and PIPL separate consent (单独同意, Art. 29). The TOTP
   * secret is sealed like a personal field (associated data "user:<id>:totp"); totp_pending is
   * an enrolment not yet confirmed with a first code; totp_last_step makes each code work once.
   * A login_challenge is the short-lived second step after a right password (its token is
   * stored hashed, like sessions). pi_consent rows are never deleted: a withdrawal is recorded
   * on the row. */
  "ALTER TABLE app_user ADD COLUMN totp_secret BLOB;"
  "ALTER TABLE app_user ADD COLUMN totp_pending BLOB;"
  "ALTER TABLE app_user ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE app_user ADD COLUMN totp_enabled_at INTEGER;"
  "CREATE TABLE login_challenge ("
  "  token_hash BLOB PRIMARY KEY, user_rid INTEGER NOT NULL REFERENCES app_user(rid),"
  "  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER) WITHOUT ROWID;"
  "CREATE TABLE pi_consent ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, client_rid INTEGER NOT NULL REFERENCES client(rid),"
  "  scope TEXT NOT NULL, signed_by TEXT NOT NULL, guardian_name TEXT, signed_on TEXT NOT NULL,"
  "  version TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at INTEGER NOT NULL,"
  "  withdrawn_on TEXT, withdrawn_reason TEXT, withdrawn_by TEXT, withdrawn_at INTEGER);"
  "CREATE INDEX pi_consent_client ON pi_consent(client_rid, rid);",
  /* 5: indicators (docs/internals/indicators.md). Aggregates by (metric, level, scope, period):
   * level 0 the nation (scope ''), 1–4 province, prefecture, county, township (scope = the
   * region code), 9 an organization (scope = its rid). A client's and a staff member's facts are
   * kept (ind_client, ind_staff) so that a change subtracts the old contributions and adds the
   * new; triggers put every subject whose inputs change into ind_dirty, and the write that
   * changed it folds it in before it commits (indicator_store_flush). Service records are
   * counted by triggers directly (county and organization, by month). exited_at records when
   * a client left the register (closed, moved, deceased), whatever the path. */
  "UPDATE client SET created_at = coalesce((SELECT min(submitted_at) FROM referral WHERE client_rid = client.rid),"
  "  created_at), updated_at = max(updated_at, coalesce((SELECT min(submitted_at) FROM referral"
  "  WHERE client_rid = client.rid), 0)) WHERE created_at = 0;"   /* registered with a referral before the fix: 1970 */
  "ALTER TABLE client ADD COLUMN exited_at INTEGER;"
  "UPDATE client SET exited_at = updated_at WHERE status IN ('closed', 'moved', 'deceased');"
  "CREATE TRIGGER client_exit AFTER UPDATE OF status ON client"
  "  WHEN (new.status IN ('closed', 'moved', 'deceased')) <> (old.status IN ('closed', 'moved', 'deceased'))"
  "  BEGIN UPDATE client SET exited_at = CASE WHEN new.status IN ('closed', 'moved', 'deceased')"
  "    THEN new.updated_at END WHERE rid = new.rid; END;"
  "CREATE TABLE ind_agg (metric TEXT NOT NULL, level INTEGER NOT NULL, scope TEXT NOT NULL, period TEXT NOT NULL,"
  "  value INTEGER NOT NULL, PRIMARY KEY (metric, level, scope, period)) WITHOUT ROWID;"
  "CREATE TABLE ind_client (rid INTEGER PRIMARY KEY, region TEXT NOT NULL, org_rid INTEGER, reg_m INTEGER NOT NULL,"
  "  exit_m INTEGER NOT NULL, severe INTEGER NOT NULL, in_service INTEGER NOT NULL DEFAULT 0, first INTEGER NOT NULL,"
  "  n INTEGER NOT NULL, std BLOB, served BLOB);"
  "CREATE INDEX ind_client_region ON ind_client(region);"
  "CREATE INDEX ind_client_org ON ind_client(org_rid);"
  "CREATE TABLE ind_staff (rid INTEGER PRIMARY KEY, region TEXT NOT NULL, org_rid INTEGER, active INTEGER NOT NULL,"
  "  relevant INTEGER NOT NULL, direct INTEGER NOT NULL, trained_years TEXT NOT NULL);"
  "CREATE TABLE ind_dirty (kind INTEGER NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (kind, rid)) WITHOUT ROWID;"
  "CREATE TABLE ind_definition (region TEXT PRIMARY KEY, definition TEXT NOT NULL, updated_at INTEGER NOT NULL,"
  "  updated_by TEXT) WITHOUT ROWID;"
  "CREATE INDEX region_level ON region(level, code);"
  /* kind 1: a client */
  "CREATE TRIGGER ind_client_ins AFTER INSERT ON client BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, new.rid); END;"
  "CREATE TRIGGER ind_client_upd AFTER UPDATE OF residence_region, organization_rid, severe, status, created_at, exited_at"
  "  ON client BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, new.rid); END;"
  "CREATE TRIGGER ind_client_del AFTER DELETE ON client BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, old.rid); END;"
  "CREATE TRIGGER ind_att_ins AFTER INSERT ON service_attendance BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, new.client_rid); END;"
  "CREATE TRIGGER ind_att_upd AFTER UPDATE ON service_attendance BEGIN"
  "  INSERT OR IGNORE INTO ind_dirty VALUES (1, old.client_rid); INSERT OR IGNORE INTO ind_dirty VALUES (1, new.client_rid); END;"
  "CREATE TRIGGER ind_att_del AFTER DELETE ON service_attendance BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, old.client_rid); END;"
  "CREATE TRIGGER ind_assess_ins AFTER INSERT ON assessment BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, new.client_rid); END;"
  "CREATE TRIGGER ind_plan_ins AFTER INSERT ON rehab_plan BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, new.client_rid); END;"
  "CREATE TRIGGER ind_ref_ins AFTER INSERT ON referral BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, new.client_rid); END;"
  "CREATE TRIGGER ind_ref_upd AFTER UPDATE OF client_rid, status, informed_consent, agreement ON referral BEGIN"
  "  INSERT OR IGNORE INTO ind_dirty VALUES (1, old.client_rid); INSERT OR IGNORE INTO ind_dirty VALUES (1, new.client_rid); END;"
  "CREATE TRIGGER ind_ref_del AFTER DELETE ON referral BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (1, old.client_rid); END;"
  "CREATE TRIGGER ind_refev_ins AFTER INSERT ON referral_event BEGIN"
  "  INSERT OR IGNORE INTO ind_dirty SELECT 1, client_rid FROM referral WHERE rid = new.referral_rid; END;"
  /* kind 2: a staff member */
  "CREATE TRIGGER ind_staff_ins AFTER INSERT ON staff BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (2, new.rid); END;"
  "CREATE TRIGGER ind_staff_upd AFTER UPDATE ON staff BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (2, new.rid); END;"
  "CREATE TRIGGER ind_staff_del AFTER DELETE ON staff BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (2, old.rid); END;"
  "CREATE TRIGGER ind_training_ins AFTER INSERT ON training BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (2, new.staff_rid); END;"
  "CREATE TRIGGER ind_training_upd AFTER UPDATE ON training BEGIN"
  "  INSERT OR IGNORE INTO ind_dirty VALUES (2, old.staff_rid); INSERT OR IGNORE INTO ind_dirty VALUES (2, new.staff_rid); END;"
  "CREATE TRIGGER ind_training_del AFTER DELETE ON training BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (2, old.staff_rid); END;"
  /* an organization that changes region: its clients' and staff's organization scope is by rid
   * and unchanged; its service records move county */
  "CREATE TRIGGER ind_org_region AFTER UPDATE OF region ON organization WHEN new.region <> old.region BEGIN"
  "  INSERT INTO ind_agg(metric, level, scope, period, value)"
  "    SELECT 'svc', 3, substr(old.region, 1, 6), 'M' || substr(date, 1, 7), -count(*) FROM service_record"
  "    WHERE org_rid = new.rid AND length(old.region) >= 6 GROUP BY 4"
  "    ON CONFLICT (metric, level, scope, period) DO UPDATE SET value = value + excluded.value;"
  "  INSERT INTO ind_agg(metric, level, scope, period, value)"
  "    SELECT 'svc', 3, substr(new.region, 1, 6), 'M' || substr(date, 1, 7), count(*) FROM service_record"
  "    WHERE org_rid = new.rid AND length(new.region) >= 6 GROUP BY 4"
  "    ON CONFLICT (metric, level, scope, period) DO UPDATE SET value = value + excluded.value; END;"
  /* service records: the county of the institution and the institution, by month */
  "CREATE TRIGGER ind_svc_ins AFTER INSERT ON service_record BEGIN"
  "  INSERT INTO ind_agg(metric, level, scope, period, value)"
  "    SELECT 'svc', 3, substr(region, 1, 6), 'M' || substr(new.date, 1, 7), 1 FROM organization"
  "    WHERE rid = new.org_rid AND length(region) >= 6"
  "    UNION ALL SELECT 'svc', 9, CAST(new.org_rid AS TEXT), 'M' || substr(new.date, 1, 7), 1 WHERE 1"
  "    ON CONFLICT (metric, level, scope, period) DO UPDATE SET value = value + excluded.value; END;"
  "CREATE TRIGGER ind_svc_del AFTER DELETE ON service_record BEGIN"
  "  INSERT INTO ind_agg(metric, level, scope, period, value)"
  "    SELECT 'svc', 3, substr(region, 1, 6), 'M' || substr(old.date, 1, 7), -1 FROM organization"
  "    WHERE rid = old.org_rid AND length(region) >= 6"
  "    UNION ALL SELECT 'svc', 9, CAST(old.org_rid AS TEXT), 'M' || substr(old.date, 1, 7), -1 WHERE 1"
  "    ON CONFLICT (metric, level, scope, period) DO UPDATE SET value = value + excluded.value; END;"
  "CREATE TRIGGER ind_svc_upd AFTER UPDATE OF org_rid, date ON service_record BEGIN"
  "  INSERT INTO ind_agg(metric, level, scope, period, value)"
  "    SELECT 'svc', 3, substr(region, 1, 6), 'M' || substr(old.date, 1, 7), -1 FROM organization"
  "    WHERE rid = old.org_rid AND length(region) >= 6"
  "    UNION ALL SELECT 'svc', 9, CAST(old.org_rid AS TEXT), 'M' || substr(old.date, 1, 7), -1 WHERE 1"
  "    ON CONFLICT (metric, level, scope, period) DO UPDATE SET value = value + excluded.value;"
  "  INSERT INTO ind_agg(metric, level, scope, period, value)"
  "    SELECT 'svc', 3, substr(region, 1, 6), 'M' || substr(new.date, 1, 7), 1 FROM organization"
  "    WHERE rid = new.org_rid AND length(region) >= 6"
  "    UNION ALL SELECT 'svc', 9, CAST(new.org_rid AS TEXT), 'M' || substr(new.date, 1, 7), 1 WHERE 1"
  "    ON CONFLICT (metric, level, scope, period) DO UPDATE SET value = value + excluded.value; END;"
  /* what exists now is counted once, the first time the server or `jingkang indicators` runs */
  "INSERT INTO ind_dirty SELECT 1, rid FROM client;"
  "INSERT INTO ind_dirty SELECT 2, rid FROM staff;"
  "INSERT INTO ind_agg(metric, level, scope, period, value)"
  "  SELECT 'svc', 3, substr(o.region, 1, 6), 'M' || substr(s.date, 1, 7), count(*) FROM service_record s"
  "  JOIN organization o ON o.rid = s.org_rid WHERE length(o.region) >= 6 GROUP BY 3, 4;"
  "INSERT INTO ind_agg(metric, level, scope, period, value)"
  "  SELECT 'svc', 9, CAST(org_rid AS TEXT), 'M' || substr(date, 1, 7), count(*) FROM service_record GROUP BY 3, 4;",

  /* 6: client figures are kept down to counties only (townships and institutions are answered
   * from the facts, domain/indicator.h ind_metric_levels), a client in service now by its
   * institution only. What stays is exactly what the new code counts for an unchanged subject,
   * so that folding a marked but unchanged subject moves nothing. */
  "DELETE FROM ind_agg WHERE metric IN ('reg', 'exit', 'std', 'served', 'severe_reg', 'severe_exit', 'severe_std',"
  "  'severe_served')"
  "  AND level > 3;"
  "DELETE FROM ind_agg WHERE metric = 'in_service' AND level <> 9;"
  /* the rebuild reads assessments and plans in (client, series, version) order from these alone */
  "CREATE INDEX assessment_series_ind ON assessment(client_rid, series, version, instrument, date, band);"
  "CREATE INDEX rehab_plan_series_ind ON rehab_plan(client_rid, series, version, start_date, review_date);"
  /* severe clients' follow-up visits, medication and psychological support; everyone's
   * satisfaction surveys; month by month */
  "ALTER TABLE ind_client ADD COLUMN fu BLOB;"
  "ALTER TABLE ind_client ADD COLUMN med BLOB;"
  "ALTER TABLE ind_client ADD COLUMN psych BLOB;"
  "ALTER TABLE ind_client ADD COLUMN sat BLOB;"
  "ALTER TABLE ind_client ADD COLUMN sat_ok BLOB;"
  "INSERT OR IGNORE INTO ind_dirty SELECT 1, rid FROM client WHERE severe <> 0"
  "  OR rid IN (SELECT client_rid FROM assessment WHERE instrument = 'satisfaction');"
  /* kind 3: a referral (timeliness, waits, outcomes). Its contributions are kept as they are
   * (8 bytes each, domain/indicator.h contrib_encode): its region is the referral's, its
   * institution the current one. Working days depend on the calendar: a year's holidays saved
   * again (calendar_store_put_year always writes calendar_year) marks the referrals submitted
   * in it or in the month before. A client's agreement ends with its referral's closing event:
   * an event changed or removed behind the API's back marks the client too. */
  "CREATE TABLE ind_referral (rid INTEGER PRIMARY KEY, region TEXT NOT NULL, org_rid INTEGER, contrib BLOB NOT NULL);"
  "CREATE INDEX ind_referral_region ON ind_referral(region);"
  "CREATE INDEX ind_referral_org ON ind_referral(org_rid);"
  "CREATE TRIGGER ind_ref3_ins AFTER INSERT ON referral BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (3, new.rid); END;"
  "CREATE TRIGGER ind_ref3_upd AFTER UPDATE OF region, org_rid, submitted_at ON referral BEGIN"
  "  INSERT OR IGNORE INTO ind_dirty VALUES (3, new.rid); END;"
  "CREATE TRIGGER ind_ref3_del AFTER DELETE ON referral BEGIN INSERT OR IGNORE INTO ind_dirty VALUES (3, old.rid); END;"
  "CREATE TRIGGER ind_refev3_ins AFTER INSERT ON referral_event BEGIN"
  "  INSERT OR IGNORE INTO ind_dirty VALUES (3, new.referral_rid); END;"
  "CREATE TRIGGER ind_refev3_upd AFTER UPDATE ON referral_event BEGIN"
  "  INSERT OR IGNORE INTO ind_dirty VALUES (3, old.referral_rid); INSERT OR IGNORE INTO ind_dirty VALUES (3, new.referral_rid);"
  "  INSERT OR IGNORE INTO ind_dirty SELECT 1, client_rid FROM referral WHERE rid IN (old.referral_rid, new.referral_rid); END;"
  "CREATE TRIGGER ind_refev3_del AFTER DELETE ON referral_event BEGIN"
  "  INSERT OR IGNORE INTO ind_dirty VALUES (3, old.referral_rid);"
  "  INSERT OR IGNORE INTO ind_dirty SELECT 1, client_rid FROM referral WHERE rid = old.referral_rid; END;"
  "CREATE TRIGGER ind_calendar_ins AFTER INSERT ON calendar_year BEGIN INSERT OR IGNORE INTO ind_dirty SELECT 3, rid"
  "  FROM referral WHERE submitted_at >= (unixepoch(new.year || '-01-01') - 8 * 3600 - 31 * 86400) * 1000"
  "  AND submitted_at < (unixepoch((new.year + 1) || '-01-01') - 8 * 3600) * 1000; END;"
  "CREATE TRIGGER ind_calendar_upd AFTER UPDATE ON calendar_year BEGIN INSERT OR IGNORE INTO ind_dirty SELECT 3, rid"
  "  FROM referral WHERE submitted_at >= (unixepoch(new.year || '-01-01') - 8 * 3600 - 31 * 86400) * 1000"
  "  AND submitted_at < (unixepoch((new.year + 1) || '-01-01') - 8 * 3600) * 1000; END;"
  "INSERT OR IGNORE INTO ind_dirty SELECT 3, rid FROM referral;",

  /* 7: export jobs (docs/internals/exports.md, store/export_job_store.h): large exports made in
   * the background and kept for download until expires_at; the file <data>/exports/<file>. */
  "CREATE TABLE export_job ("
  "  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, owner_rid INTEGER NOT NULL, kind TEXT NOT NULL,"
  "  params TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),"
  "  done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0, file TEXT UNIQUE, file_name TEXT,"
  "  size INTEGER, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, expires_at INTEGER,"
  "  error TEXT);"
  "CREATE INDEX export_job_owner ON export_job(owner_rid, created_at);"
  "CREATE INDEX export_job_state ON export_job(state, created_at);"
  "CREATE INDEX export_job_expiry ON export_job(expires_at) WHERE expires_at IS NOT NULL;",

  /* 8: what an assessment counts as for the indicators, in a column (ind_kind: 1 intake or
   * periodic, 2 a satisfaction survey, 3 a satisfied one, 4 a follow-up visit, 5 one on
   * medication or in hospital, 0 other) so that the rebuild reads the index alone: a follow-up's
   * answers were read from the table, and follow-ups are half of all assessments. Assessments
   * are immutable: every INSERT sets it (store/indicator_internal.h IND_ASSESS_KIND) and the
   * trigger refuses one that differs from this expression. */
#define M8_KIND(i, b, a)                                                                                           \
  "CASE WHEN " i " IN ('intake', 'periodic') THEN 1 WHEN " i " = 'satisfaction' THEN 2 + coalesce(" b              \
  " = 'satisfied', 0) WHEN " i " = 'followup' AND json_extract(" a ", '$.classification') IN (1, 2, 3) THEN 4 +"   \
  " coalesce(json_extract(" a ", '$.adherence') IN (1, 2) OR json_extract(" a ", '$.hospitalization') = 1, 0)"     \
  " ELSE 0 END"
  "ALTER TABLE assessment ADD COLUMN ind_kind INTEGER;"
  "DROP TRIGGER assessment_no_update;"
  "UPDATE assessment SET ind_kind = " M8_KIND("instrument", "band", "answers") ";"
  "CREATE TRIGGER assessment_no_update BEFORE UPDATE ON assessment BEGIN SELECT RAISE(ABORT, 'assessments are immutable'); END;"
  "CREATE TRIGGER assessment_ind_kind BEFORE INSERT ON assessment"
  "  WHEN new.ind_kind IS NOT " M8_KIND("new.instrument", "new.band", "new.answers") " BEGIN"
  "  SELECT RAISE(ABORT, 'assessment.ind_kind differs from its instrument and answers'); END;"
  "DROP INDEX assessment_series_ind;"
  "CREATE INDEX assessment_series_ind ON assessment(client_rid, series, version, date, ind_kind);",
#undef M8_KIND
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

static const char SQL_VERSION[] = "SELECT value FROM meta WHERE key = 'schema_version'";
static const char SQL_SET_VERSION[] =
  "INSERT INTO meta(key, value) VALUES ('schema_version', $1) "
  "ON CONFLICT(key) DO UPDATE SET value = excluded.value";

int db_schema_version(struct db *db)
{
  sqlite3_stmt *st = 0;
  int v = 0;
  if (sqlite3_prepare_v2(db_sqlite(db), SQL_VERSION, -1, &st, 0) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = atoi((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return v;
}

jk_status db_migrate(struct db *db)
{
  for (int v = db_schema_version(db); v < N_MIGRATIONS; v++) {
    jk_status st = db_begin_write(db);
    if (st != JK_OK) return st;
    if ((st = db_exec(db, migrations[v])) != JK_OK) {
      db_rollback(db);
      return st;
    }
    sqlite3_stmt *s = db_prepare(db, SQL_SET_VERSION);
    char num[16];
    snprintf(num, sizeof num, "%d", v + 1);
    db_bind_text(s, 1, num);
    int rc = sqlite3_step(s);
    db_done(s);
    if (rc != SQLITE_DONE) {
      db_rollback(db);
      return db_status(rc);
    }
    if ((st = db_commit(db)) != JK_OK) return st;
    log_info("db: schema at version %d", v + 1);
  }
  return JK_OK;
}
