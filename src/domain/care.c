/* care.c: see care.h. Ids are stable English codes stored in the database; labels are what
 * people read. A new code is added at the end of its list. */
#include "domain/care.h"
#include <string.h>

static const struct code service_types[] = {
  {"medication", "服药训练"}, {"daily_living", "生活技能训练"}, {"social_skills", "社交技能训练"},
  {"vocational", "职业能力训练"}, {"home_guidance", "居家康复指导"}, {"day_training", "日间训练"},
  {"vocational_rehab", "职业康复"}, {"transitional_housing", "过渡性住宿"}, {"family_support", "居家支持与家庭支援"},
  {"peer_support", "同伴支持"}, {"family_peer", "家属专家交流互助"}, {"counselling", "心理疏导"},
  {"recreation", "文体娱乐"}, {"health_education", "健康教育"}, {"other", "其他"}, {0, 0}};
static const struct code places[] = {
  {"institution", "机构内"}, {"home", "入户"}, {"community", "社区"}, {"online", "线上"}, {0, 0}};
static const struct code modes[] = {{"individual", "个案"}, {"group", "小组"}, {0, 0}};
static const struct code team_roles[] = {
  {"guardian", "监护人"}, {"social_worker", "社会工作者"}, {"therapist", "康复治疗师"},
  {"psych_doctor", "精防医生"}, {"police", "社区民警"}, {"grid_worker", "网格员"}, {"village_cadre", "村（居）干部"},
  {"disability_officer", "残联专职委员"}, {"volunteer", "志愿者"}, {"civil_affairs", "民政助理员"},
  {"comprehensive_officer", "综治专干"}, {"other", "其他"}, {0, 0}};
static const struct code professions[] = {
  {"psychiatrist", "精神科医师"}, {"doctor", "医师（其他科）"}, {"nurse", "护士"}, {"therapist", "康复治疗师"},
  {"social_worker", "社会工作者"}, {"psychologist", "心理咨询（治疗）师"}, {"manager", "管理人员"},
  {"peer_supporter", "同伴支持员"}, {"other", "其他"}, {0, 0}};
static const struct code degrees[] = {
  {"secondary", "中专及以下"}, {"college", "大专"}, {"bachelor", "本科"}, {"master", "硕士"}, {"doctorate", "博士"}, {0, 0}};
static const struct code major_fields[] = {
  {"mental_health", "精神卫生（精神医学、精神科护理）"}, {"psychology", "心理学"}, {"social_work", "社会工作"},
  {"other", "其他专业"}, {0, 0}};
static const struct code training_kinds[] = {
  {"pre_service", "岗前培训"}, {"centralized", "集中培训"}, {"supervision", "督导"}, {"vocational", "职业培训"},
  {0, 0}};
static const struct code goal_statuses[] = {
  {"pending", "未开始"}, {"in_progress", "进行中"}, {"achieved", "已达成"}, {"dropped", "已调整"}, {0, 0}};

static const struct { const char *name; const struct code *codes; } lists[CL_COUNT] = {
  {"service_types", service_types}, {"places", places}, {"modes", modes}, {"team_roles", team_roles},
  {"professions", professions}, {"degrees", degrees}, {"major_fields", major_fields},
  {"training_kinds", training_kinds}, {"goal_statuses", goal_statuses},
};

const struct code *care_codes(enum care_list l)
{
  static const struct code none[] = {{0, 0}};
  return l < CL_COUNT ? lists[l].codes : none;
}
const char *care_list_name(enum care_list l) { return l < CL_COUNT ? lists[l].name : ""; }

const char *care_label(enum care_list l, const char *id)
{
  for (const struct code *c = care_codes(l); id && c->id; c++)
    if (strcmp(c->id, id) == 0) return c->label;
  return 0;
}

bool care_code_valid(enum care_list l, const char *id) { return care_label(l, id) != 0; }

bool major_field_relevant(const char *id)
{
  return id && (strcmp(id, "mental_health") == 0 || strcmp(id, "psychology") == 0 || strcmp(id, "social_work") == 0);
}
