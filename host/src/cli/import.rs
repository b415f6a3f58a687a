//! `baton import org-units | roster | staff`: the files a county hands over.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Staff accounts from CSV: `username,name,phone,role,unit_code` (or
    /// 用户名,姓名,电话,角色,单位代码), UTF-8 or GB18030; role province-admin,
    /// city-officer, county-trainer or township-officer (省级管理员/市级组织干部/县级培训人员/乡镇干部).
    /// Prints each account's activation code as CSV.
    Staff {
        /// The CSV file.
        file: PathBuf,
    },
    /// An org tree from CSV: `code,level,name,parent_code` (or 代码,层级,名称,上级代码),
    /// UTF-8 or GB18030, levels in English or Chinese (省/市/县/乡/村).
    OrgUnits {
        /// The CSV file.
        file: PathBuf,
    },
    /// Committee rosters from CSV: `village_code,committee,name,post,status,years_served,phone`
    /// (or 村代码,组织,姓名,职务,状态,任职年限,电话); committee 党组织/村委会,
    /// status 在任/离任/落选/调任 (serving when empty). Everyone gets an
    /// account and an activation code; print the slips at /slips?unit=VILLAGE.
    Roster {
        /// The CSV file.
        file: PathBuf,
        /// The election year (换届).
        #[arg(long)]
        term: String,
        /// The election date.
        #[arg(long, default_value = "")]
        elected_on: String,
    },
}

/// Runs a `baton import` command against `database_url`.
pub async fn run(database_url: &str, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Roster {
            file,
            term,
            elected_on,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let db = crate::Db::connect(database_url).await?;
            let imported = crate::import::roster(&db, &bytes, &term, &elected_on).await?;
            println!(
                "imported {} seats ({} people) for term {term} from {}; {} new accounts with activation codes (print them at /slips?unit=VILLAGE)",
                imported.seats,
                imported.people,
                file.display(),
                imported.accounts.len()
            );
            Ok(())
        }
        ImportCommand::Staff { file } => {
            let db = crate::Db::connect(database_url).await?;
            super::admin::import_staff(&db, &file).await
        }
        ImportCommand::OrgUnits { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let db = crate::Db::connect(database_url).await?;
            let added = crate::import::org_units(&db, &bytes).await?;
            println!("imported {added} org units from {}", file.display());
            Ok(())
        }
    }
}
