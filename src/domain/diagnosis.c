/* diagnosis.c: see diagnosis.h.
 *
 * `categories` holds every three-character category of ICD-10 chapter V (WHO ICD-10, 2019
 * edition, unchanged in chapter V since 1992 apart from inclusions at the fourth character),
 * with the Chinese title of the Chinese editions of ICD-10; a NULL entry is a number that
 * ICD-10 leaves unused (F08, F26–F27, F35–F37, F46–F47, F49, F56–F58, F67, F74–F77,
 * F85–F87, F96–F97). Invariant of a parsed diagnosis: code is "F" + 2 digits [+ "." + 1–2
 * digits], its category has a non-NULL name, severe is in 0..6. */
#include "domain/diagnosis.h"
#include <stdbool.h>
#include <string.h>

static const char *const categories[100] = {
  [0] = "阿尔茨海默病性痴呆",
  [1] = "血管性痴呆",
  [2] = "见于在他处归类的其他疾病的痴呆",
  [3] = "未特指的痴呆",
  [4] = "器质性遗忘综合征，非由酒精和其他精神活性物质所致",
  [5] = "谵妄，非由酒精和其他精神活性物质所致",
  [6] = "脑损害和功能紊乱以及躯体疾病所致的其他精神障碍",
  [7] = "脑部疾病、损害和功能紊乱所致的人格和行为障碍",
  [9] = "未特指的器质性或症状性精神障碍",
  [10] = "使用酒精所致的精神和行为障碍",
  [11] = "使用阿片类物质所致的精神和行为障碍",
  [12] = "使用大麻类物质所致的精神和行为障碍",
  [13] = "使用镇静催眠剂所致的精神和行为障碍",
  [14] = "使用可卡因所致的精神和行为障碍",
  [15] = "使用其他兴奋剂（包括咖啡因）所致的精神和行为障碍",
  [16] = "使用致幻剂所致的精神和行为障碍",
  [17] = "使用烟草所致的精神和行为障碍",
  [18] = "使用挥发性溶剂所致的精神和行为障碍",
  [19] = "使用多种药物和其他精神活性物质所致的精神和行为障碍",
  [20] = "精神分裂症",
  [21] = "分裂型障碍",
  [22] = "持久的妄想性障碍",
  [23] = "急性而短暂的精神病性障碍",
  [24] = "感应性妄想性障碍",
  [25] = "分裂情感性障碍",
  [28] = "其他非器质性精神病性障碍",
  [29] = "未特指的非器质性精神病",
  [30] = "躁狂发作",
  [31] = "双相情感障碍",
  [32] = "抑郁发作",
  [33] = "复发性抑郁障碍",
  [34] = "持续性心境［情感］障碍",
  [38] = "其他心境［情感］障碍",
  [39] = "未特指的心境［情感］障碍",
  [40] = "恐怖性焦虑障碍",
  [41] = "其他焦虑障碍",
  [42] = "强迫性障碍",
  [43] = "严重应激反应和适应障碍",
  [44] = "分离［转换］性障碍",
  [45] = "躯体形式障碍",
  [48] = "其他神经症性障碍",
  [50] = "进食障碍",
  [51] = "非器质性睡眠障碍",
  [52] = "非器质性障碍或疾病所致的性功能障碍",
  [53] = "与产褥期有关的精神和行为障碍，不可归类在他处者",
  [54] = "与在他处归类的障碍或疾病有关的心理和行为因素",
  [55] = "非依赖性物质的滥用",
  [59] = "与生理紊乱和躯体因素有关的未特指的行为综合征",
  [60] = "特异性人格障碍",
  [61] = "混合型和其他人格障碍",
  [62] = "持久的人格改变，非由脑损害和疾病所致",
  [63] = "习惯和冲动障碍",
  [64] = "性身份障碍",
  [65] = "性偏好障碍",
  [66] = "与性发育和性取向有关的心理和行为障碍",
  [68] = "成人人格和行为的其他障碍",
  [69] = "未特指的成人人格和行为障碍",
  [70] = "轻度精神发育迟滞",
  [71] = "中度精神发育迟滞",
  [72] = "重度精神发育迟滞",
  [73] = "极重度精神发育迟滞",
  [78] = "其他精神发育迟滞",
  [79] = "未特指的精神发育迟滞",
  [80] = "特定性言语和语言发育障碍",
  [81] = "特定性学校技能发育障碍",
  [82] = "特定性运动功能发育障碍",
  [83] = "混合性特定发育障碍",
  [84] = "广泛性发育障碍",
  [88] = "其他心理发育障碍",
  [89] = "未特指的心理发育障碍",
  [90] = "多动性障碍",
  [91] = "品行障碍",
  [92] = "品行和情绪混合性障碍",
  [93] = "特发于童年的情绪障碍",
  [94] = "特发于童年和少年期的社会功能障碍",
  [95] = "抽动障碍",
  [98] = "通常起病于童年和少年期的其他行为和情绪障碍",
  [99] = "未特指的精神障碍",
};

static const char *const severe_names[7] = {
  0, "精神分裂症", "分裂情感性障碍", "持久的妄想性障碍（偏执性精神病）", "双相（情感）障碍",
  "癫痫所致精神障碍", "精神发育迟滞伴发精神障碍",
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The six severe disorders by category (domain-rules §1.1; the ICD column there is marked
 * "verify"). F06 stands for 癫痫所致精神障碍 although F06 also covers other organic causes. */
static int severe_of(int category)
{
  switch (category) {
  case 20: return 1;
  case 25: return 2;
  case 22: return 3;
  case 31: return 4;
  case 6: return 5;
  default: return category >= 70 && category <= 79 ? 6 : 0;
  }
}

/* Reads "F" dd [ "." d [d] ] or "F" dd [d [d]] from s[0..n); writes the dotted form to code. */
static bool shape(const char *s, size_t n, char code[8])
{
  if (n < 3 || (s[0] != 'F' && s[0] != 'f') || !is_digit(s[1]) || !is_digit(s[2])) return false;
  size_t sub = 3;
  if (n > 3 && s[3] == '.') sub = 4;
  size_t ndig = n - sub;
  if (ndig > 2 || (sub == 4 && ndig == 0)) return false;
  for (size_t i = sub; i < n; i++)
    if (!is_digit(s[i])) return false;
  code[0] = 'F', code[1] = s[1], code[2] = s[2];
  if (ndig) {
    code[3] = '.';
    memcpy(code + 4, s + sub, ndig);
  }
  code[ndig ? 4 + ndig : 3] = 0;
  return true;
}

jk_status diagnosis_parse(const char *in, struct diagnosis *out, struct jk_err *e)
{
  char code[8];
  const char *s = in ? in : "";
  while (is_space(*s)) s++;
  size_t n = strlen(s);
  while (n > 0 && is_space(s[n - 1])) n--;
  int category = -1;
  if (shape(s, n, code)) category = (code[1] - '0') * 10 + (code[2] - '0');
  if (category < 0 || !categories[category])
    return jk_fail(e, JK_EINVAL, "invalid_diagnosis", "诊断应为ICD-10第五章（F00–F99）编码，如F20.0",
                   "diagnosis");
  memcpy(out->code, code, sizeof code);
  out->name = categories[category];
  out->severe = severe_of(category);
  return JK_OK;
}

const char *severe_disorder_name(int severe)
{
  return severe >= 1 && severe <= 6 ? severe_names[severe] : 0;
}
