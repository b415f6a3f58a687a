//! Evidence files over HTTP: upload to an enrollment (the raw bytes, as a
//! phone app sends them), list them, and fetch one (the pages' thumbnails
//! use the same route with the session cookie).

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::attachments::{MAX_UPLOAD, Uploaded, fetch, upload};
use crate::auth::Principal;
use crate::shared::{AppState, Error};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/enrollments/{id}/attachments",
            get(list)
                .post(add)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD + 4096)),
        )
        .route("/enrollments/{id}/attachments/{sha}", get(file))
}

/// `?name=` of an upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Named {
    /// The file's name, e.g. `公章印模.jpg`.
    name: String,
    /// `true`: the scan of the printed record, signed in ink and sealed
    /// (shown beside the record and counted on `/verify`).
    #[serde(default)]
    scan: bool,
}

/// Uploads a photo (JPEG, PNG) or a PDF to an enrollment the actor may act
/// in: the body is the file. Photos are re-encoded without their metadata
/// (no GPS position survives) and get a phone-sized copy.
#[utoipa::path(post, path = "/api/v1/enrollments/{id}/attachments", tag = "enrollments",
    operation_id = "upload_attachment",
    params(("id" = i64, Path, description = "Enrollment id"), Named),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "id (sha256), name, media_type, size, uploaded_by, uploaded_at, existing"),
              (status = 400, description = "not a photo or PDF, too large, or no name"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn add(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Query(named): Query<Named>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Uploaded>), Error> {
    let uploaded = upload(&state, &principal, id, &named.name, &body, named.scan).await?;
    Ok((StatusCode::CREATED, Json(uploaded)))
}

/// The enrollment's attachments, as its module sees them.
#[utoipa::path(get, path = "/api/v1/enrollments/{id}/attachments", tag = "enrollments",
    operation_id = "list_attachments",
    params(("id" = i64, Path, description = "Enrollment id")),
    responses((status = 200, description = "id, name, media_type, size, uploaded_by, uploaded_at"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Vec<baton_sdk::Attachment>>, Error> {
    Ok(Json(
        crate::attachments::list(&state, &principal, id).await?,
    ))
}

/// `?size=phone` for a photo's phone-sized copy, `?size=thumb` for its thumbnail.
#[derive(Debug, Deserialize)]
pub(super) struct Size {
    size: Option<String>,
}

/// One attachment's bytes, for those who may view the enrollment: a photo
/// inline (re-encoded; `?size=phone` for its phone-sized copy, `?size=thumb`
/// for its 240 px thumbnail), a PDF as a
/// download. The pages link it with the session cookie; the API with a
/// bearer token.
#[utoipa::path(get, path = "/enrollments/{id}/attachments/{sha}", tag = "enrollments",
    operation_id = "download_attachment",
    params(("id" = i64, Path, description = "Enrollment id"),
           ("sha" = String, Path, description = "The attachment's id (its sha256)"),
           ("size" = Option<String>, Query, description = "`phone`: a photo's phone-sized copy (1,280 px); `thumb`: its thumbnail (240 px)")),
    responses((status = 200, description = "the file: image/jpeg, image/png or application/pdf"),
              (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub(super) async fn file(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, sha)): Path<(i64, String)>,
    Query(size): Query<Size>,
) -> Result<Response, Error> {
    let size = match size.size.as_deref() {
        None | Some("") => crate::attachments::Size::Kept,
        Some("phone") => crate::attachments::Size::Phone,
        Some("thumb") => crate::attachments::Size::Thumb,
        Some(_) => {
            return Err(Error::bad(
                "size",
                "尺寸只能是 phone 或 thumb",
                "must be phone or thumb",
            ));
        }
    };
    let (media_type, name, bytes) = fetch(&state, &principal, id, &sha, size).await?;
    // Photos (re-encoded here) show inline; a PDF is the uploader's own
    // bytes and may carry script, so it is a download, and sandboxed should
    // a browser open it anyway.
    let pdf = media_type == "application/pdf";
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if pdf { "attachment" } else { "inline" },
        name.bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            })
            .collect::<String>()
    );
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                if pdf {
                    "sandbox; default-src 'none'"
                } else {
                    "default-src 'none'"
                }
                .to_owned(),
            ),
            // Content-addressed: the bytes under this name never change.
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}
