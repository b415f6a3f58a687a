//! What every request can reach: the database, the runtime, and the caches
//! in front of them (loaded modules, villages, sessions).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baton_sdk::{Member, Outgoing, Village};

use crate::db::Db;
use crate::error::Error;
use crate::registry::Module;
use crate::runtime::Runtime;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<App>);

/// The parts of the application.
pub struct App {
    /// The database.
    pub db: Db,
    /// The plugin runtime.
    pub runtime: Runtime,
    /// Where uploaded files' bytes live.
    pub files: crate::files::Store,
    /// Loaded modules by (id, version), so a call does not fetch the bytes.
    modules: crate::registry::Modules,
    /// Villages' names and committees, briefly: every action needs them and
    /// they change only when a roster is imported.
    villages: Mutex<HashMap<String, (Instant, Arc<VillageContext>)>>,
    /// Signed-in principals by token, briefly (see [`Sessions`]).
    pub sessions: Sessions,
    /// The operator's security settings.
    pub settings: crate::settings::Settings,
}

/// Principals by session token for [`SESSION_TTL`]: every request needs its
/// grants, which change rarely. Logging out forgets the token at once in
/// this process; another process, and a changed grant, catch up within the TTL.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, (Instant, crate::auth::Principal)>>);

/// How long a looked-up principal is reused.
const SESSION_TTL: Duration = Duration::from_secs(10);

impl Sessions {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, crate::auth::Principal)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get(&self, token: &str) -> Option<crate::auth::Principal> {
        self.lock()
            .get(token)
            .filter(|(at, _)| at.elapsed() < SESSION_TTL)
            .map(|(_, p)| p.clone())
    }

    pub(crate) fn put(&self, token: &str, principal: &crate::auth::Principal) {
        let mut map = self.lock();
        if map.len() >= VILLAGE_CACHE {
            map.retain(|_, (at, _)| at.elapsed() < SESSION_TTL);
        }
        map.insert(token.to_owned(), (Instant::now(), principal.clone()));
    }

    pub(crate) fn forget(&self, token: &str) {
        self.lock().remove(token);
    }

    /// Forgets every session of `account` in this process: reset, switched
    /// off, or a role taken away. Other processes catch up within the TTL.
    pub fn forget_account(&self, account: i64) {
        self.lock().retain(|_, (_, p)| p.account_id != account);
    }
}

/// A village and its committees, as a module's context carries them.
pub type VillageContext = (Village, Vec<Member>, Vec<Outgoing>);

/// How long a village's committees are reused before being read again.
const VILLAGE_TTL: Duration = Duration::from_secs(30);
/// Villages kept at most; past it the cache starts over.
const VILLAGE_CACHE: usize = 20_000;

impl AppState {
    /// State over `db` and `runtime`, with the default settings.
    pub fn new(db: Db, runtime: Runtime) -> Self {
        Self::with_settings(db, runtime, crate::settings::Settings::default())
    }

    /// State over `db` and `runtime` with the operator's `settings`.
    pub fn with_settings(db: Db, runtime: Runtime, settings: crate::settings::Settings) -> Self {
        Self(Arc::new(App {
            settings,
            files: crate::files::Store::Database(db.clone()),
            db,
            runtime,
            modules: Default::default(),
            villages: Mutex::new(HashMap::new()),
            sessions: Sessions::default(),
        }))
    }
}

impl App {
    /// The newest published version of module `id` (in publishing order),
    /// if it has one.
    pub async fn newest_version(&self, id: &str) -> Result<Option<String>, Error> {
        let versions = crate::db::plugins::versions(&self.db, id).await?;
        Ok(versions.last().map(|v| v.version.clone()))
    }

    /// The module `id@version` from the database, loaded once per process.
    pub async fn plugin(&self, id: &str, version: &str) -> Result<Arc<Module>, Error> {
        if let Some(module) = self.modules.get(id, version) {
            return Ok(module);
        }
        let stored = crate::db::plugins::wasm(&self.db, id, version)
            .await?
            .ok_or_else(|| {
                Error::not_found(
                    format!("没有模块 {id}@{version}"),
                    format!("no module {id}@{version}"),
                )
            })?;
        // Unchanged since it was published, and still signed if it was.
        let label = format!("{id}@{version}");
        let signed_by = stored.signed_by.as_deref();
        crate::signing::check_stored(&self.db, &label, &stored.wasm, &stored.sha256, signed_by)
            .await?;
        let bytes = stored.wasm;
        let loaded = match &stored.definition {
            Some(text) => {
                let definition = serde_json::from_str(text).map_err(anyhow::Error::from)?;
                crate::registry::load_defined(&self.runtime, &bytes, id, version, definition).await
            }
            None => crate::registry::load(&self.runtime, &bytes).await,
        };
        let module =
            loaded.map_err(|e| anyhow::anyhow!("loading stored module {id}@{version}: {e}"))?;
        let module = Arc::new(module);
        self.modules.insert(module.clone());
        Ok(module)
    }

    /// Who holds session `token`, if it is open: from the session cache,
    /// else the database (and then cached).
    pub async fn principal(&self, token: &str) -> Result<Option<crate::auth::Principal>, Error> {
        if let Some(principal) = self.sessions.get(token) {
            return Ok(Some(principal));
        }
        let found = crate::db::accounts::principal(&self.db, token, crate::clock::now()).await?;
        if let Some(principal) = &found {
            self.sessions.put(token, principal);
        }
        Ok(found)
    }

    /// A village and its committees, read at most every [`VILLAGE_TTL`].
    pub async fn village(&self, code: &str, path: &str) -> Result<Arc<VillageContext>, Error> {
        let lock = || self.villages.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, v)) = lock().get(code)
            && at.elapsed() < VILLAGE_TTL
        {
            return Ok(v.clone());
        }
        let v = Arc::new(crate::db::people::village(&self.db, code, path).await?);
        let mut cache = lock();
        if cache.len() >= VILLAGE_CACHE {
            cache.clear();
        }
        cache.insert(code.to_owned(), (Instant::now(), v.clone()));
        Ok(v)
    }
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}
