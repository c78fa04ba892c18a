// element.js: the Element Plus components the UI uses, registered globally with the zh-CN
// locale (named imports keep the bundle to what is used).
import {
  makeInstaller, ElAlert, ElAside, ElAutocomplete, ElButton, ElCard, ElCascader, ElCheckbox,
  ElCheckboxGroup, ElCol, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions,
  ElDescriptionsItem, ElDialog, ElForm, ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber, ElLink,
  ElLoading, ElMain, ElMenu, ElMenuItem, ElMessage, ElMessageBox, ElOption, ElPagination,
  ElPopconfirm, ElResult, ElRow, ElSelect, ElSkeleton, ElSpace, ElTable, ElTableColumn, ElTag,
  ElTooltip, ElSteps, ElStep, ElTimeline, ElTimelineItem, ElBadge, ElEmpty, ElRadio, ElRadioGroup, ElRadioButton, ElSwitch, ElProgress, ElTabs, ElTabPane,
} from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'

const installer = makeInstaller([
  ElAlert, ElAside, ElAutocomplete, ElButton, ElCard, ElCascader, ElCheckbox, ElCheckboxGroup,
  ElCol, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem, ElDialog,
  ElForm, ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber, ElLink, ElLoading, ElMain, ElMenu,
  ElMenuItem, ElMessage, ElMessageBox, ElOption, ElPagination, ElPopconfirm, ElResult, ElRow,
  ElSelect, ElSkeleton, ElSpace, ElTable, ElTableColumn, ElTag, ElTooltip, ElSteps, ElStep, ElTimeline,
  ElTimelineItem, ElBadge, ElEmpty, ElRadio, ElRadioGroup, ElRadioButton, ElSwitch, ElProgress, ElTabs, ElTabPane,
])

export default {
  install(app) {
    installer.install(app, { locale: zhCn })
  },
}
export { zhCn }
