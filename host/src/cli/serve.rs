//! `baton serve`: the server.

use anyhow::Context as _;

use crate::runtime::Runtime;

/// Migrates the database, registers the built-in modules, and serves until Ctrl-C.
pub async fn run(
    runtime: Runtime,
    addr: std::net::SocketAddr,
    database_url: &str,
    demo: bool,
    worker_every: u64,
    settings: crate::settings::Settings,
) -> anyhow::Result<()> {
    let db = crate::Db::connect(database_url).await?;
    let now = crate::clock::now();
    for added in crate::registry::register_built_ins(&db, &runtime, now).await? {
        tracing::info!(module = %added, "registered built-in module");
    }
    let state = crate::app::AppState::with_settings(db.clone(), runtime, settings);
    for moved in crate::upgrade::built_ins(&state)
        .await
        .map_err(|e| anyhow::anyhow!("moving enrollments to the new built-in modules: {e}"))?
    {
        println!("Upgraded by replay: {moved}");
    }
    if demo {
        if crate::demo::is_empty(&db).await? {
            crate::demo::seed(&db, now).await?;
            for made in crate::demo::examples(&state, now).await? {
                tracing::info!(module = %made, "made an example of a province's own module");
            }
            println!("Seeded the demo province into {database_url}.");
        } else {
            println!("The demo province is already in {database_url}.");
        }
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    println!(
        "Baton is listening on http://{}  (database {database_url})",
        listener.local_addr()?
    );
    if demo {
        print!(
            "{}",
            crate::demo::logins(&listener.local_addr()?.to_string())
        );
    }
    // A SQLite file deleted or replaced under the server is fatal: the open
    // connections would keep accepting writes into a file no one will read.
    let watched = db.clone();
    let lost = async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            if let Err(e) = watched.check_file() {
                return e;
            }
        }
    };
    if worker_every > 0 {
        let every = std::time::Duration::from_secs(worker_every);
        tokio::spawn(crate::outbox::run(state.clone(), every));
    }
    let app =
        crate::app::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // Ctrl-C or SIGTERM (a service manager's stop): stop accepting, finish
    // the requests in flight, then exit.
    let server = axum::serve(listener, app).with_graceful_shutdown(stopped());
    tokio::select! {
        served = server => served?,
        e = lost => {
            tracing::error!(error = %e, "stopping: the database is lost");
            anyhow::bail!("stopping: {e}");
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("stopping: finishing the requests in flight");
}
