/* cmd_demo.c: `jingkang demo --data DIR` — init plus a realistic prefecture: 攀枝花市 (5104)
 * with its five real counties, hospitals, community rehab institutions, employers, village
 * and residents' committees taken from the division data, a social work organization and the
 * government offices; an account of every role; and a few hundred clients with valid ID
 * numbers from the real county codes.
 *
 * The people are invented: names are drawn from common surnames and given-name characters,
 * ID numbers are generated (valid check digit) with a fixed seed, so every demo is the same.
 * Organizations and clients go through the same validation as the API (api/handlers.h). */
#include "cli/cli.h"
#include "api/handlers.h"
#include "api/users.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/idcard.h"
#include "sec/audit.h"
#include "store/db.h"
#include "store/org_store.h"
#include "store/region_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_PASSWORD "Jingkang-Demo-2026!"
/* The demo administrators' TOTP secret (two-factor login is required for sysadmin, secadmin
 * and auditor): public and documented, so only ever for demo data. */
#define DEMO_TOTP_SECRET "JINGKANGDEMOTOTPSECRETFORADMINS2"
#define DEMO_CLIENTS 300

static uint64_t rng_state = 20261122;
static uint32_t rnd(uint32_t n)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % n);
}

struct demo_org {
  const char *key, *name, *kind, *region, *address, *mode, *functions;
  double lat, lng;
  int capacity;
  const char *services;
};

/* key names the org for users and clients below. */
static const struct demo_org orgs[] = {
  {"hosp_city", "攀枝花市精神卫生中心", "hospital", "510402", "攀枝花市东区人民街112号", "public", "[\"assessment_referral\",\"training_supervision\"]", 26.5851, 101.7189, 0, "[]"},
  {"hosp_miyi", "米易县人民医院精神科", "hospital", "510421", "米易县攀莲镇丙谷路38号", "public", "[]", 26.8907, 102.1126, 0, "[]"},
  {"hosp_yanbian", "盐边县人民医院", "hospital", "510422", "盐边县桐子林镇新县城大道9号", "public", "[]", 26.6831, 101.8519, 0, "[]"},
  {"chc_renhe", "仁和区社区卫生服务中心", "hospital", "510411", "攀枝花市仁和区宝兴路15号", "public", "[]", 26.4978, 101.7384, 0, "[]"},
  {"rehab_miyi", "米易县精康家园社区康复中心", "rehab_institution", "510421", "米易县攀莲镇安宁路66号", "purchased",
   "[\"day_care\",\"home_support\",\"vocational\",\"assessment_referral\"]", 26.8871, 102.1098, 40,
   "[{\"name\":\"日间照料\",\"price_fen\":3000,\"unit\":\"天\"},{\"name\":\"居家康复指导\",\"price_fen\":5000,\"unit\":\"次\"},{\"name\":\"职业康复训练\",\"price_fen\":0,\"unit\":\"月\"}]"},
  {"rehab_east", "东区阳光家园精神障碍社区康复中心", "rehab_institution", "510402", "攀枝花市东区炳草岗大街21号", "public_private",
   "[\"residential\",\"day_care\",\"transitional_housing\",\"training_supervision\",\"service_demonstration\"]", 26.5806, 101.7245, 60,
   "[{\"name\":\"集中托养\",\"price_fen\":180000,\"unit\":\"月\"},{\"name\":\"日间照料\",\"price_fen\":2500,\"unit\":\"天\"}]"},
  {"rehab_west", "西区康馨日间照料中心", "rehab_institution", "510403", "攀枝花市西区清香坪街道苏铁路8号", "private_nonprofit",
   "[\"day_care\",\"home_support\"]", 26.6005, 101.6312, 25, "[{\"name\":\"日间照料\",\"price_fen\":2000,\"unit\":\"天\"}]"},
  {"rehab_renhe", "仁和区向阳花职业康复站", "rehab_institution", "510411", "攀枝花市仁和区迤资路27号", "purchased",
   "[\"vocational\",\"day_care\"]", 26.4991, 101.7402, 30, "[{\"name\":\"职业康复训练\",\"price_fen\":0,\"unit\":\"月\"}]"},
  {"rehab_yanbian", "盐边县心灵驿站康复站", "rehab_institution", "510422", "盐边县桐子林镇金河大道55号", "purchased",
   "[\"home_support\",\"day_care\"]", 26.6859, 101.8533, 20, "[{\"name\":\"居家支持\",\"price_fen\":4000,\"unit\":\"次\"}]"},
  {"emp_farm", "米易县绿源农业专业合作社", "employer", "510421", "米易县丙谷镇芭蕉箐村", 0, "[]", 26.8412, 102.0735, 0, "[]"},
  {"emp_bakery", "攀枝花市阳光烘焙工坊", "employer", "510402", "攀枝花市东区五十四街道4号", 0, "[]", 26.5712, 101.7301, 0, "[]"},
  {"soc_sw", "攀枝花市心翼社会工作服务中心", "social_org", "510402", "攀枝花市东区机场路48号", "private_nonprofit", "[]", 26.5689, 101.7012, 0, "[]"},
  {"gov_mca_city", "攀枝花市民政局", "government", "5104", "攀枝花市东区新华街行政中心", "public", "[]", 26.5823, 101.7161, 0, "[]"},
  {"gov_mca_miyi", "米易县民政局", "government", "510421", "米易县攀莲镇政府路1号", "public", "[]", 26.8889, 102.1142, 0, "[]"},
  {"gov_health_miyi", "米易县卫生健康局", "government", "510421", "米易县攀莲镇政府路3号", "public", "[]", 26.8893, 102.1139, 0, "[]"},
  {"gov_dpf_city", "攀枝花市残疾人联合会", "government", "5104", "攀枝花市东区新华街12号", "public", "[]", 26.5830, 101.7170, 0, "[]"},
};
#define NORGS (sizeof orgs / sizeof orgs[0])

struct demo {
  struct app app;
  struct db *db;
  struct arena *a;
  char org_ids[NORGS][37];
  int clients_made;
};

/* A request as the API would see it, acting as `who`. */
static void fake_req(struct demo *d, struct req *r, const struct principal *who)
{
  memset(r, 0, sizeof *r);
  r->resp_fd = -1;
  r->app = &d->app;
  r->db = d->db;
  r->a = d->a;
  r->authed = true;
  r->who = *who;
  snprintf(r->request_id, sizeof r->request_id, "demo");
}

static const struct principal demo_admin = {.user_id = "demo", .username = "demo", .role = ROLE_SYSADMIN};

static bool create_orgs(struct demo *d)
{
  for (size_t i = 0; i < NORGS; i++) {
    const struct demo_org *o = &orgs[i];
    json_error_t je;
    json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:{s:f,s:f},s:i,s:o,s:o}", "name", o->name, "kind", o->kind,
                             "region", o->region, "address", o->address, "location", "lat", o->lat, "lng", o->lng,
                             "capacity", o->capacity, "functions", json_loads(o->functions, 0, &je), "services",
                             json_loads(o->services, 0, &je));
    if (o->mode) json_object_set_new(body, "operating_mode", json_string(o->mode));
    struct req r;
    fake_req(d, &r, &demo_admin);
    orgs_create_json(&r, body);
    json_decref(body);
    if (r.status != 201) {
      fprintf(stderr, "jingkang demo: 机构 %s 创建失败: %.*s\n", o->name, (int)r.resp_len, r.resp ? r.resp : "");
      free(r.resp);
      return false;
    }
    json_t *ans = json_loadb(r.resp, r.resp_len, 0, &je);
    snprintf(d->org_ids[i], 37, "%s", json_string_value(json_object_get(ans, "id")));
    json_decref(ans);
    free(r.resp);
  }
  return true;
}

/* One residents' or villagers' committee (村/居委会) per county, taken from the division data:
 * the first village of the county's first township. */
static bool create_communities(struct demo *d)
{
  static const char *const county_codes[] = {"510402", "510403", "510411", "510421", "510422"};
  static const int near[] = {5, 6, 7, 4, 8};   /* the county's rehab institution, for a location nearby */
  for (int i = 0; i < 5; i++) {
    struct region *towns, *villages;
    int64_t nt, nv;
    if (region_store_children(d->db, d->a, county_codes[i], &towns, &nt) != JK_OK || nt == 0 ||
        region_store_children(d->db, d->a, towns[0].code, &villages, &nv) != JK_OK || nv == 0)
      return false;
    json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:{s:f,s:f}}", "name", villages[0].name, "kind", "community",
                             "region", villages[0].code, "address", arena_printf(d->a, "%s%s", towns[0].name, villages[0].name),
                             "location", "lat", orgs[near[i]].lat + 0.01, "lng", orgs[near[i]].lng + 0.01);
    struct req r;
    fake_req(d, &r, &demo_admin);
    orgs_create_json(&r, body);
    json_decref(body);
    bool ok = r.status == 201;
    free(r.resp);
    if (!ok) return false;
  }
  return true;
}

static const char *org_id(struct demo *d, const char *key)
{
  for (size_t i = 0; i < NORGS; i++)
    if (strcmp(orgs[i].key, key) == 0) return d->org_ids[i];
  return 0;
}

static const struct {
  const char *username, *display, *role, *region, *org_key;
} users[] = {
  {"sysadmin", "系统管理员", "sysadmin", 0, 0},
  {"secadmin", "安全管理员", "secadmin", 0, 0},
  {"auditor", "审计员", "auditor", 0, 0},
  {"city_official", "市民政局 王科长", "official", "5104", 0},
  {"county_official", "米易县民政局 李股长", "official", "510421", 0},
  {"county_official2", "盐边县民政局 赵股长", "official", "510422", 0},
  {"referral_worker", "市转介平台 陈社工", "referral_worker", "5104", 0},
  {"rehab_worker", "米易县精康家园 张社工", "rehab_staff", 0, "rehab_miyi"},
  {"rehab_worker2", "东区阳光家园 刘康复师", "rehab_staff", 0, "rehab_east"},
  {"hospital_worker", "市精神卫生中心 周医生", "hospital_staff", 0, "hosp_city"},
  {"evaluator", "第三方评估机构 孙评估员", "evaluator", 0, 0},
};

static bool create_users(struct demo *d)
{
  for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
    struct new_user nu = {users[i].username, users[i].display, users[i].role, users[i].region,
                          users[i].org_key ? org_id(d, users[i].org_key) : 0, DEMO_PASSWORD};
    struct jk_err e = {0};
    const char *id;
    struct audit_entry ae = {.username = cli_actor(), .role = "system", .action = "create", .object_type = "user",
                             .result = "ok", .request_id = "demo", .detail = "demo account"};
    if (users_create(d->db, d->a, &nu, &e, &id) != JK_OK || (ae.object_id = id, audit_append(d->db, &d->app.keys, &ae)) != JK_OK) {
      fprintf(stderr, "jingkang demo: 用户 %s 创建失败: %s\n", users[i].username, e.message ? e.message : "");
      return false;
    }
    if (users_role_needs_totp(users[i].role) &&
        users_totp_set(d->db, d->a, &d->app.keys, users[i].username, DEMO_TOTP_SECRET, clock_now_ms()) != JK_OK) {
      fprintf(stderr, "jingkang demo: 用户 %s 绑定动态验证码失败\n", users[i].username);
      return false;
    }
  }
  return true;
}

/* ---- invented people ---- */

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
                                       "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "邓",
                                       "冯", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "杜", "苏"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
                                    "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "兰", "建", "国", "玉",
                                    "红", "文", "志", "德", "海", "云", "春", "林", "燕", "琴", "鹏", "辉", "宇", "婷"};
static const char *const relations[] = {"父亲", "母亲", "配偶", "子女", "兄弟姐妹"};
static const struct { const char *code; int weight; } diagnoses[] = {
  {"F20.0", 30}, {"F20.9", 10}, {"F31.2", 10}, {"F32.1", 12}, {"F25.0", 6}, {"F22.0", 5},
  {"F06.2", 4},  {"F71", 5},    {"F41.1", 8},  {"F33.1", 6},  {"F84.0", 4},
};
static const struct { const char *county, *rehab, *hosp; } counties[] = {
  {"510402", "rehab_east", "hosp_city"}, {"510403", "rehab_west", "hosp_city"},
  {"510411", "rehab_renhe", "chc_renhe"}, {"510421", "rehab_miyi", "hosp_miyi"},
  {"510422", "rehab_yanbian", "hosp_yanbian"},
};

static const char *pick_name(struct arena *a)
{
  const char *s = surnames[rnd(sizeof surnames / sizeof *surnames)];
  const char *g1 = given[rnd(sizeof given / sizeof *given)];
  return rnd(3) ? arena_printf(a, "%s%s%s", s, g1, given[rnd(sizeof given / sizeof *given)]) : arena_printf(a, "%s%s", s, g1);
}

static const char *make_id_number(struct arena *a, const char *county)
{
  char id[40];
  int y = 1966 + (int)rnd(40), m = 1 + (int)rnd(12), dd = 1 + (int)rnd(28);
  snprintf(id, sizeof id, "%s%04d%02d%02d%03u", county, y, m, dd, rnd(999) + 1);
  id[17] = idcard_check_char(id);
  id[18] = 0;
  return arena_strdup(a, id);
}

static const char *pick_diagnosis(void)
{
  int total = 0;
  for (size_t i = 0; i < sizeof diagnoses / sizeof *diagnoses; i++) total += diagnoses[i].weight;
  int x = (int)rnd((uint32_t)total);
  for (size_t i = 0; i < sizeof diagnoses / sizeof *diagnoses; i++)
    if ((x -= diagnoses[i].weight) < 0) return diagnoses[i].code;
  return "F20.0";
}

/* A real village or community of the county, for an address and the residence region. */
static bool pick_village(struct demo *d, const char *county, struct region *town, struct region *village)
{
  struct region *towns, *villages;
  int64_t nt, nv;
  if (region_store_children(d->db, d->a, county, &towns, &nt) != JK_OK || nt == 0) return false;
  *town = towns[rnd((uint32_t)nt)];
  if (region_store_children(d->db, d->a, town->code, &villages, &nv) != JK_OK || nv == 0) return false;
  *village = villages[rnd((uint32_t)nv)];
  return true;
}

static json_t *client_body(struct demo *d, int i)
{
  const char *county = counties[i % 5].county;
  struct region town, village;
  if (!pick_village(d, county, &town, &village)) return 0;
  const char *idn = make_id_number(d->a, county);
  const char *diag = pick_diagnosis();
  json_t *b = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "name", pick_name(d->a), "id_number", idn, "phone",
                        arena_printf(d->a, "1%u%09u", 3 + rnd(7), rnd(1000000000)), "address",
                        arena_printf(d->a, "%s%s%u组%u号", town.name, village.name, 1 + rnd(12), 1 + rnd(80)),
                        "residence_region", village.code, "hukou_region", rnd(10) ? village.code : town.code,
                        "diagnosis", diag);
  if (rnd(10) < 4) json_object_set_new(b, "disability_certificate", json_string(arena_printf(d->a, "%s6%u", idn, 1 + rnd(4))));
  json_t *gs = json_array();
  for (uint32_t g = 0, n = 1 + rnd(2); g < n; g++)
    json_array_append_new(gs, json_pack("{s:s,s:s,s:s}", "name", pick_name(d->a), "relation", relations[rnd(5)], "phone",
                                        arena_printf(d->a, "1%u%09u", 3 + rnd(7), rnd(1000000000))));
  json_object_set_new(b, "guardians", gs);
  json_object_set_new(b, "organization", json_string(org_id(d, rnd(4) ? counties[i % 5].rehab : counties[i % 5].hosp)));
  static const char *const st[] = {"registered", "in_service", "in_service", "in_service", "closed"};
  json_object_set_new(b, "status", json_string(st[rnd(5)]));
  return b;
}

static bool create_clients(struct demo *d)
{
  const struct principal worker = {.user_id = "demo", .username = "demo", .role = ROLE_REFERRAL_WORKER, .region = "5104"};
  for (int i = 0; i < DEMO_CLIENTS; i++) {
    json_t *b = client_body(d, i);
    if (!b) return false;
    struct req r;
    fake_req(d, &r, &worker);
    clients_create_json(&r, b);
    json_decref(b);
    if (r.status == 201) d->clients_made++;
    else if (r.status != 409) {  /* a generated ID number that collided is skipped */
      fprintf(stderr, "jingkang demo: 康复对象创建失败: %.*s\n", (int)r.resp_len, r.resp ? r.resp : "");
      free(r.resp);
      return false;
    }
    free(r.resp);
  }
  return true;
}

/* The principal of a demo account, as a session would give it. */
static struct principal as_user(struct demo *d, const char *username)
{
  for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
    if (strcmp(users[i].username, username) != 0) continue;
    struct principal p = {.user_id = username, .username = username, .role = role_parse(users[i].role), .region = users[i].region};
    struct org_rec o;
    if (users[i].org_key && org_store_by_id(d->db, d->a, org_id(d, users[i].org_key), &o) == JK_OK) p.org_rid = o.rid;
    return p;
  }
  return (struct principal){0};
}

/* One step through the same handler as POST /referrals/{id}/{action}. */
static bool demo_step(struct demo *d, const char *username, const char *id, const char *action, json_t *body)
{
  struct req r;
  struct principal who = as_user(d, username);
  fake_req(d, &r, &who);
  r.params[0] = id;
  r.params[1] = action;
  r.nparams = 2;
  json_t *b = body ? body : json_object();
  referral_step(&r, b);
  json_decref(b);
  bool ok = r.status == 200;
  if (!ok) fprintf(stderr, "jingkang demo: 转介步骤 %s 失败: %.*s\n", action, (int)r.resp_len, r.resp ? r.resp : "");
  free(r.resp);
  return ok;
}

/* Referrals at every stage, so that each role's work list has something in it: new hospital
 * referrals to register, registered ones to dispatch, some at 米易's institution to receive,
 * one waiting at 东区, some in service, one back in hospital, one closed with its visit due. */
static bool create_referrals(struct demo *d)
{
  static const char *const plan[] = {"submitted", "submitted", "submitted", "registered", "registered", "dispatched",
                                     "dispatched", "waitlisted", "in_service", "in_service", "in_service",
                                     "hospitalized", "closed"};
  char date[11];
  date_format(date_today(), date);
  for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++) {
    json_t *c = client_body(d, 3 + (int)i * 5);   /* counties[3] is 米易 (510421), where the demo institution is */
    if (!c) return false;
    json_object_del(c, "organization");
    json_object_del(c, "status");
    json_t *b = json_pack("{s:o,s:s,s:{s:[s],s:s},s:{s:b,s:b,s:s},s:{s:s,s:i,s:s}}", "client", c, "source", "hospital",
                          "need", "functions", "day_care", "note", "出院后需要日间康复和服药训练", "consent", "client_agreed", 1,
                          "guardian_agreed", 1, "signed_on", date, "assessment", "date", date, "risk_level", (int)(i % 3),
                          "summary", "病情稳定，建议社区康复");
    struct req r;
    struct principal hosp = as_user(d, "hospital_worker");
    fake_req(d, &r, &hosp);
    referrals_create_json(&r, b);
    json_decref(b);
    json_t *made = r.status == 201 ? json_loadb(r.resp, r.resp_len, 0, 0) : 0;
    free(r.resp);
    if (!made) return r.status == 409;   /* an ID number that collided: skip */
    const char *id = arena_strdup(d->a, json_string_value(json_object_get(made, "id")));
    json_decref(made);
    const char *want = plan[i], *rehab = org_id(d, strcmp(want, "waitlisted") == 0 ? "rehab_east" : "rehab_miyi");
    const char *staff = strcmp(want, "waitlisted") == 0 ? "rehab_worker2" : "rehab_worker";
    bool ok = true;
    if (strcmp(want, "submitted") == 0) continue;
    ok = demo_step(d, "referral_worker", id, "register", json_pack("{s:s}", "note", "已电话核实需求"));
    if (ok && strcmp(want, "registered") != 0) ok = demo_step(d, "referral_worker", id, "dispatch", json_pack("{s:s}", "organization", rehab));
    if (ok && strcmp(want, "waitlisted") == 0) ok = demo_step(d, staff, id, "waitlist", json_pack("{s:s}", "note", "暂无空位"));
    if (!ok || !strcmp(want, "registered") || !strcmp(want, "dispatched") || !strcmp(want, "waitlisted")) {
      if (!ok) return false;
      continue;
    }
    ok = demo_step(d, staff, id, "accept", 0) &&
         demo_step(d, staff, id, "consent", json_pack("{s:b,s:s,s:s}", "client_signed", 1, "signed_on", date, "version", "2026.1")) &&
         demo_step(d, staff, id, "agreement", json_pack("{s:b,s:s,s:s,s:s}", "client_signed", 1, "signed_on", date, "version", "2026.1",
                                                        "price_terms", "日间照料 30元/天，按月结算")) &&
         demo_step(d, staff, id, "start", 0);
    if (ok && strcmp(want, "hospitalized") == 0)
      ok = demo_step(d, staff, id, "relapse", json_pack("{s:s,s:s}", "hospital", org_id(d, "hosp_city"), "reason", "病情波动，家属送医"));
    if (ok && strcmp(want, "closed") == 0)
      ok = demo_step(d, staff, id, "refer_out", json_pack("{s:s,s:s,s:s}", "type", "employment_assisted", "organization",
                                                          org_id(d, "emp_farm"), "note", "辅助性就业"));
    if (!ok) return false;
  }
  return true;
}

/* Staff of the two institutions with demo accounts (the professions the intake assessment's
 * sections need, one without a relevant major) and a referral worker of 米易, with some
 * training this year — one person already past 20 hours, others short of it. Through the same
 * handlers as POST /staff and /staff/{id}/trainings. */
static bool create_staff(struct demo *d)
{
  static const struct { const char *user, *name, *profession, *major_field, *degree; double hours; } people[] = {
    {"rehab_worker", "张社工", "social_worker", "social_work", "bachelor", 22},
    {"rehab_worker", "何医生", "psychiatrist", "mental_health", "master", 12},
    {"rehab_worker", "罗护士", "nurse", "other", "college", 6},
    {"rehab_worker", "邓治疗师", "therapist", "other", "bachelor", 0},
    {"rehab_worker2", "刘康复师", "therapist", "psychology", "bachelor", 16},
    {"rehab_worker2", "唐医生", "psychiatrist", "mental_health", "bachelor", 20},
    {"rehab_worker2", "胡社工", "social_worker", "social_work", "bachelor", 8},
    {"rehab_worker2", "冯护士", "nurse", "other", "college", 4},
    {"county_official", "钱转介员", "social_worker", "social_work", "bachelor", 8},
  };
  char date[11];
  date_format(date_from_days(date_to_days(date_today()) - 30), date);
  for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
    struct principal who = as_user(d, people[i].user);
    json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "name", people[i].name, "profession", people[i].profession,
                             "major_field", people[i].major_field, "degree", people[i].degree);
    if (who.role == ROLE_OFFICIAL) json_object_set_new(body, "region", json_string(who.region));
    struct req r;
    fake_req(d, &r, &who);
    staff_create_json(&r, body);
    json_decref(body);
    json_t *ans = r.status == 201 ? json_loadb(r.resp, r.resp_len, 0, 0) : 0;
    if (!ans) fprintf(stderr, "jingkang demo: 人员 %s 创建失败: %.*s\n", people[i].name, (int)r.resp_len, r.resp ? r.resp : "");
    free(r.resp);
    if (!ans) return false;
    const char *id = arena_strdup(d->a, json_string_value(json_object_get(ans, "id")));
    json_decref(ans);
    if (people[i].hours <= 0) continue;
    body = json_pack("{s:s,s:s,s:f,s:s,s:s,s:b}", "kind", who.role == ROLE_OFFICIAL ? "centralized" : "supervision", "date",
                     date, "hours", people[i].hours, "topic", who.role == ROLE_OFFICIAL ? "康复需求评估与转介" : "精神障碍社区康复实务",
                     "provider", "攀枝花市精神卫生中心", "needs_assessment", who.role == ROLE_OFFICIAL);
    fake_req(d, &r, &who);
    r.params[0] = id;
    r.nparams = 1;
    training_create_json(&r, body);
    json_decref(body);
    bool ok = r.status == 201;
    if (!ok) fprintf(stderr, "jingkang demo: 培训登记失败: %.*s\n", (int)r.resp_len, r.resp ? r.resp : "");
    free(r.resp);
    if (!ok) return false;
  }
  return true;
}

/* A past for the demo clients (cmd_gen_history.c), so that the dashboard shows real figures:
 * registration, leaving, services, assessments and plans from 24 months ago, but not before
 * 2026 (tests/api/indicators.test.mjs builds its own known dataset in 2025, which must stay
 * alone there). At the two institutions with demo worker accounts the ten newest clients in
 * service keep empty files, so that a walk through the demo (and the care tests) can start from a
 * first plan and assessment; their other clients have a history like everyone's. */
static bool create_history(struct demo *d)
{
  int64_t skip[2] = {0, 0};
  struct org_rec o;
  if (org_store_by_id(d->db, d->a, org_id(d, "rehab_miyi"), &o) == JK_OK) skip[0] = o.rid;
  if (org_store_by_id(d->db, d->a, org_id(d, "rehab_east"), &o) == JK_OK) skip[1] = o.rid;
  int64_t start = date_to_days(date_add_months(date_today(), -24)), floor = date_to_days((struct jk_date){2026, 1, 1});
  struct gen_history_stats s;
  jk_status st = gen_history_run(d->db, start > floor ? start : floor, skip, 2, &s);
  if (st != JK_OK) fprintf(stderr, "jingkang demo: 历史记录生成失败（错误 %d）\n", (int)st);
  return st == JK_OK;
}

int cmd_demo(const struct cli_opts *o)
{
  int rc = init_data_dir(o);
  if (rc) return rc;
  struct demo d = {0};
  if (cli_open(o, &d.app, &d.db) != JK_OK) return 1;
  d.a = arena_new();
  if (audit_queue_start(d.app.db_path, &d.app.keys, &d.app.audit) != JK_OK) return 1;
  bool ok = create_orgs(&d) && create_communities(&d) && db_begin_write(d.db) == JK_OK;
  if (ok && create_users(&d)) ok = db_commit(d.db) == JK_OK;
  else if (db_in_write(d.db)) ok = false, db_rollback(d.db);
  ok = ok && cli_load_instruments(&d.app, d.db) == JK_OK && create_clients(&d) && create_referrals(&d) &&
       create_staff(&d) && create_history(&d);
  instrument_set_clear(&d.app.instruments);
  audit_queue_stop(d.app.audit);
  db_close(d.db);
  arena_free(d.a);
  if (!ok) return 1;
  printf("演示数据：攀枝花市 %zu 个机构（另有5个村/居委会），%zu 个账号，%d 名康复对象，13 件各阶段的转介\n", NORGS,
         sizeof users / sizeof users[0], d.clients_made);
  printf("演示账号（密码均为 %s）：\n", DEMO_PASSWORD);
  for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
    printf("  %-16s %s\n", users[i].username, users[i].display);
  printf("管理员（sysadmin secadmin auditor）登录还需动态验证码：在身份验证器中添加密钥 %s\n", DEMO_TOTP_SECRET);
  printf("  （或 otpauth://totp/Jingkang:demo?secret=%s&issuer=Jingkang）\n", DEMO_TOTP_SECRET);
  return 0;
}
