//! What a county's spreadsheet may look like: Simplified headers and levels
//! (the mainland's), English ones, and the Traditional ones older exports
//! carry; a header the importer does not know is one error that names it.
//! (This file holds Traditional text on purpose: tests/language.rs exempts it.)

use baton_host::import::{ImportError, org_units, roster};
use baton_tests::per_backend;

per_backend! {
    async fn traditional_headers_and_levels_are_still_accepted(test: TestDb) {
        let tree = "代碼,層級,名稱,上級代碼
500000000000,省,重庆市,
500100000000,市,重庆市辖区,500000000000
500155000000,區,梁平区,500100000000
500155108000,鎮,礼让镇,500155000000
500155108201,村,桂花村,500155108000
500155108202,社區,城东社区,500155108000
";
        let added = org_units(&test.db, tree.as_bytes()).await.expect("Traditional headers");
        assert_eq!(added, 6);
        let people = "村代碼,組織,姓名,職務,狀態,任職年限,電話
500155108201,黨組織,张建国,書記,在任,,
500155108201,村委會,李秀英,委員,,,
500155108201,黨組織,王德福,書記,離任,12,
";
        let imported = roster(&test.db, people.as_bytes(), "2026", "2026-11-01").await.expect("Traditional roster");
        assert_eq!((imported.people, imported.seats, imported.accounts.len()), (3, 3, 3));
        let (_, members, outgoing) = baton_core::db::people::village(&test.db, "500155108201", "").await.expect("village");
        assert_eq!(members.iter().find(|m| m.name == "张建国").map(|m| m.post.as_str()), Some("书记"), "stored Simplified");
        assert_eq!(outgoing.len(), 1);
        test.cleanup().await;
    }
}

per_backend! {
    async fn an_unknown_header_is_one_error_naming_it(test: TestDb) {
        // 12,342 rows of a province's file used to give 12,342 errors.
        let mut file = String::from("编号,类别,单位,上级\n");
        for i in 0..500 {
            file.push_str(&format!("{i},村,某村,1\n"));
        }
        let Err(ImportError::Rows(errors)) = org_units(&test.db, file.as_bytes()).await else {
            panic!("an unknown header must be refused");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        let text = errors[0].to_string();
        assert!(
            text.starts_with("line 1: the header `编号,类别,单位,上级` lacks code, level, name: expected the columns code,level,name,parent_code (or 代码,层级,名称,上级代码)"),
            "{text}"
        );
        let Err(ImportError::Rows(errors)) = roster(&test.db, "姓名,电话\n张三,1\n".as_bytes(), "2026", "").await else {
            panic!("an unknown roster header must be refused");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("village_code"), "{}", errors[0]);
        test.cleanup().await;
    }
}
