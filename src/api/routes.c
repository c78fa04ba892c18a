/* routes.c: the route table — every endpoint of the API in one list (docs/openapi.yaml says
 * the same in detail). The server matches in order; `{x}` is one path segment. Everything
 * that is not ROUTE_PUBLIC needs a session or a bearer token. */
#include "api/handlers.h"

const struct route jk_routes[] = {
  {"POST", "/api/v1/session", api_login, ROUTE_PUBLIC},
  {"GET", "/api/v1/session", api_session_get, 0},
  {"DELETE", "/api/v1/session", api_logout, 0},
  {"GET", "/api/v1/regions", api_regions_list, ROUTE_PUBLIC},
  {"GET", "/api/v1/regions/{code}", api_region_get, ROUTE_PUBLIC},
  {"POST", "/api/v1/organizations", api_orgs_create, 0},
  {"GET", "/api/v1/organizations", api_orgs_list, 0},
  {"GET", "/api/v1/organizations/{id}", api_org_get, 0},
  {"PATCH", "/api/v1/organizations/{id}", api_org_patch, 0},
  {"POST", "/api/v1/clients", api_clients_create, 0},
  {"GET", "/api/v1/clients", api_clients_list, 0},
  {"POST", "/api/v1/clients/search", api_clients_search, 0},
  {"GET", "/api/v1/clients/{id}", api_client_get, 0},
  {"PATCH", "/api/v1/clients/{id}", api_client_patch, 0},
  {"POST", "/api/v1/clients/{id}/reveal", api_client_reveal, 0},
  {"POST", "/api/v1/referrals", api_referrals_create, 0},
  {"GET", "/api/v1/referrals", api_referrals_list, 0},
  {"GET", "/api/v1/referrals/overview", api_referrals_overview, 0},
  {"GET", "/api/v1/referrals/{id}", api_referral_get, 0},
  {"GET", "/api/v1/referrals/{id}/suggestions", api_referral_suggestions, 0},
  {"POST", "/api/v1/referrals/{id}/{action}", api_referral_action, 0},
  {"GET", "/api/v1/inbox", api_inbox, 0},
  {"POST", "/api/v1/public/applications", api_public_apply, ROUTE_PUBLIC},
  {"GET", "/api/v1/public/applications/{receipt}", api_public_status, ROUTE_PUBLIC},
  {"GET", "/api/v1/referral-rules", api_rules_get, 0},
  {"PUT", "/api/v1/referral-rules/{region}", api_rules_put, 0},
  {"DELETE", "/api/v1/referral-rules/{region}", api_rules_delete, 0},
  {"GET", "/api/v1/users", api_users_list, 0},
  {"POST", "/api/v1/users", api_users_create, 0},
  {"PATCH", "/api/v1/users/{id}", api_users_patch, 0},
  {"POST", "/api/v1/users/{id}/unlock", api_users_unlock, 0},
  {"POST", "/api/v1/tokens", api_tokens_create, 0},
  {"GET", "/api/v1/audit", api_audit_list, 0},
  {"GET", "/api/v1/audit/verify", api_audit_verify, 0},
  {"GET", "/api/v1/stats/overview", api_stats_overview, 0},
};
const int jk_nroutes = (int)(sizeof jk_routes / sizeof jk_routes[0]);
