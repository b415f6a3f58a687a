//! Traditional spellings the importers accept, as their Simplified forms.
//!
//! Files from the mainland use Simplified headers and values; older exports,
//! and Baton's own files before it went Simplified, use Traditional ones. The
//! product never shows these: it reads them and turns them into Simplified
//! before anything else looks at a cell.

/// (Traditional, Simplified) for every header and value an import reads.
const SPELLINGS: &[(&str, &str)] = &[
    // Headers.
    ("代碼", "代码"),
    ("區劃代碼", "区划代码"),
    ("層級", "层级"),
    ("級別", "级别"),
    ("名稱", "名称"),
    ("上級代碼", "上级代码"),
    ("村代碼", "村代码"),
    ("組織", "组织"),
    ("委員會", "委员会"),
    ("職務", "职务"),
    ("狀態", "状态"),
    ("任職年限", "任职年限"),
    ("電話", "电话"),
    ("手機", "手机"),
    ("角色", "角色"),
    ("單位代碼", "单位代码"),
    ("用戶名", "用户名"),
    ("登錄名", "登录名"),
    // Levels.
    ("縣", "县"),
    ("區", "区"),
    ("鄉", "乡"),
    ("鎮", "镇"),
    ("鄉鎮", "乡镇"),
    ("社區", "社区"),
    ("居委會", "居委会"),
    // Committees, posts and departures.
    ("黨組織", "党组织"),
    ("黨支部", "党支部"),
    ("黨委", "党委"),
    ("支委會", "支委会"),
    ("村委會", "村委会"),
    ("村民委員會", "村民委员会"),
    ("書記", "书记"),
    ("副書記", "副书记"),
    ("委員", "委员"),
    ("離任", "离任"),
    ("落選", "落选"),
    ("調任", "调任"),
    // Staff roles.
    ("省級管理員", "省级管理员"),
    ("縣級培訓人員", "县级培训人员"),
    ("鄉鎮幹部", "乡镇干部"),
    ("鄉鎮干部", "乡镇干部"),
];

/// The Simplified form of a cell, if it is one of the Traditional spellings
/// an import knows; the cell itself otherwise.
pub fn simplified(cell: &str) -> &str {
    SPELLINGS
        .iter()
        .find(|(traditional, _)| *traditional == cell)
        .map_or(cell, |(_, simplified)| simplified)
}
