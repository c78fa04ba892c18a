/* handlers.h: every API handler (routes.c wires them to paths), and the create entry points
 * that take an already-parsed body, shared with `jingkang demo` so that demo data passes
 * exactly the validation that user input does. */
#ifndef JK_HANDLERS_H
#define JK_HANDLERS_H
#include <jansson.h>
#include "http/server.h"

void api_login(struct req *r);
void api_session_get(struct req *r);
void api_logout(struct req *r);
void api_login_second_factor(struct req *r);
void api_login_enrolment(struct req *r);
void api_totp_enrol(struct req *r);
void api_totp_confirm(struct req *r);
void api_users_totp_reset(struct req *r);
void api_client_export(struct req *r);
void api_consents_list(struct req *r);
void api_consents_create(struct req *r);
void api_consent_withdraw(struct req *r);
void api_region_get(struct req *r);
void api_regions_list(struct req *r);
void api_orgs_create(struct req *r);
void api_orgs_list(struct req *r);
void api_org_get(struct req *r);
void api_org_patch(struct req *r);
void api_clients_create(struct req *r);
void api_clients_list(struct req *r);
void api_clients_search(struct req *r);
void api_client_get(struct req *r);
void api_client_patch(struct req *r);
void api_client_reveal(struct req *r);
void api_referrals_create(struct req *r);
void api_referrals_list(struct req *r);
void api_referrals_overview(struct req *r);
void api_referral_get(struct req *r);
void api_referral_suggestions(struct req *r);
void api_referral_action(struct req *r);
void api_inbox(struct req *r);
void api_public_apply(struct req *r);
void api_public_status(struct req *r);
void api_rules_get(struct req *r);
void api_rules_put(struct req *r);
void api_rules_delete(struct req *r);
void api_webhooks_create(struct req *r);
void api_webhooks_list(struct req *r);
void api_webhook_delete(struct req *r);
void api_webhook_deliveries(struct req *r);
void api_webhook_test(struct req *r);
void api_calendar_list(struct req *r);
void api_calendar_get(struct req *r);
void api_calendar_put(struct req *r);
void api_calendar_workdays(struct req *r);
void api_instruments_list(struct req *r);
void api_instrument_get(struct req *r);
void api_assessments_create(struct req *r);
void api_assessments_list(struct req *r);
void api_assessment_get(struct req *r);
void api_assessment_correct(struct req *r);
void api_alerts_list(struct req *r);
void api_alert_ack(struct req *r);
void api_care_due(struct req *r);
void api_care_catalogue(struct req *r);
void api_plan_get(struct req *r);
void api_plan_create(struct req *r);
void api_team_get(struct req *r);
void api_team_add(struct req *r);
void api_team_patch(struct req *r);
void api_team_delete(struct req *r);
void api_service_create(struct req *r);
void api_services_list(struct req *r);
void api_services_ledger(struct req *r);
void api_service_get(struct req *r);
void api_client_services(struct req *r);
void api_client_ledger(struct req *r);
void api_staff_list(struct req *r);
void api_staff_create(struct req *r);
void api_staff_get(struct req *r);
void api_staff_patch(struct req *r);
void api_training_create(struct req *r);
void api_users_list(struct req *r);
void api_users_create(struct req *r);
void api_users_patch(struct req *r);
void api_users_unlock(struct req *r);
void api_tokens_create(struct req *r);
void api_audit_list(struct req *r);
void api_audit_verify(struct req *r);
void api_stats_overview(struct req *r);
/* indicators.c */
void api_indicators(struct req *r);
void api_indicator(struct req *r);
void api_indicator_definition_get(struct req *r);
void api_indicator_definition_put(struct req *r);
void api_indicator_definition_delete(struct req *r);
/* indicator_export.c */
void api_indicators_export(struct req *r);
void api_indicator_export(struct req *r);
void api_indicators_report(struct req *r);
void api_indicators_extract(struct req *r);
/* export_jobs.c */
void api_export_create(struct req *r);
void api_exports_list(struct req *r);
void api_export_get(struct req *r);
void api_export_file(struct req *r);
void api_export_cancel(struct req *r);
void api_export_delete(struct req *r);

/* Create from a parsed body (borrowed); the answer is in r->status / r->resp as for HTTP. */
void orgs_create_json(struct req *r, json_t *body);
void clients_create_json(struct req *r, json_t *body);
void referrals_create_json(struct req *r, json_t *body);
void staff_create_json(struct req *r, json_t *body);
/* A training record for staff r->params[0]. */
void training_create_json(struct req *r, json_t *body);
/* One step of the referral r->params[0], action r->params[1], with the given body (borrowed). */
void referral_step(struct req *r, json_t *body);
#ifdef JK_FAULT
/* Fault injection of the durability tests (api/fault_api.c, fault build only). */
void api_fault_arm(struct req *r);
void api_fault_disarm(struct req *r);
void api_fault_get(struct req *r);
#endif

#endif
