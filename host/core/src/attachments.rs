//! Evidence: photos (of a seal imprint, an asset, a signed paper inventory)
//! and PDFs uploaded for an enrollment. A photo is re-encoded, which drops
//! its metadata (the camera's GPS position with it), turned upright by its
//! EXIF orientation, kept at most [`KEPT_SIDE`] pixels on its long side, and
//! given a phone-sized copy. Modules see what each
//! file is, never its bytes; only those who may view the enrollment may
//! fetch them.

use std::io::Cursor;

use baton_sdk::Attachment;
use image::{DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, Limits};

use crate::acting::{actor, reach};
use crate::auth::{Capability, Principal};
use crate::clock::now;
use crate::db::attachments::{self, NewAttachment};
use crate::error::Error;
use crate::state::AppState;

/// The largest file accepted, bytes: a phone's photo is 2–8 MB.
pub const MAX_UPLOAD: usize = 16 << 20;
/// The longest side of a photo's phone-sized copy, pixels.
pub const PHONE_SIDE: u32 = 1280;
/// The longest side of a photo's thumbnail, pixels: twice the 120 px a page
/// shows it at, for a phone's dense screen, in well under 20 KB.
pub const THUMB_SIDE: u32 = 240;
/// The longest side of a photo as kept, pixels: a seal's imprint stays
/// legible, and a 50-megapixel original does not cost 20 MB.
pub const KEPT_SIDE: u32 = 2560;
/// The most pixels a photo may have (a 50-megapixel camera's is fine).
const MAX_PIXELS: u64 = 64_000_000;

/// What was uploaded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Uploaded {
    /// The stored file, as modules see it.
    #[serde(flatten)]
    pub attachment: Attachment,
    /// Whether the enrollment already had it.
    pub existing: bool,
}

/// The enrollment's attachments as its module sees them, for whoever may
/// view it.
pub async fn list(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Vec<Attachment>, Error> {
    let (e, _) = reach(state, principal, id, Capability::ViewEnrollment).await?;
    let all = attachments::of(&state.db, e.id).await?;
    Ok(all.into_iter().map(|s| s.attachment).collect())
}

/// Stores `bytes`, uploaded as `name` by `principal` for enrollment `id`
/// (they must be able to act in it): a JPEG or PNG photo, or a PDF.
pub async fn upload(
    state: &AppState,
    principal: &Principal,
    id: i64,
    name: &str,
    bytes: &[u8],
    scan: bool,
) -> Result<Uploaded, Error> {
    let (e, role) = reach(state, principal, id, Capability::Act).await?;
    let name = name.trim();
    if name.is_empty() || name.len() > 200 || name.chars().any(hidden) {
        return Err(Error::bad(
            "name",
            "文件名不能为空，最长 200 个字符，不能含控制字符或文字方向字符",
            "is required, at most 200 bytes, without control, invisible or text-direction characters",
        ));
    }
    if bytes.len() > MAX_UPLOAD {
        return Err(Error::bad(
            "file",
            format!("文件过大（上限 {} MB）", MAX_UPLOAD >> 20),
            format!("is larger than {} MB", MAX_UPLOAD >> 20),
        ));
    }
    let kind = sniff(bytes).ok_or_else(|| {
        Error::bad(
            "file",
            "只能上传照片（JPEG、PNG）或 PDF 文件",
            "must be a photo (JPEG, PNG) or a PDF",
        )
    })?;
    let (stored, copies) = match kind {
        Kind::Pdf => (bytes.to_vec(), None),
        Kind::Photo(format) => {
            // A few decodes at a time, each bounded: a burst of huge photos
            // waits its turn instead of taking the server's memory.
            let _turn = state
                .settings
                .decodes
                .acquire()
                .await
                .map_err(anyhow::Error::from)?;
            let owned = bytes.to_vec();
            let (stored, phone, thumb) = tokio::task::spawn_blocking(move || photo(&owned, format))
                .await
                .map_err(anyhow::Error::from)??;
            (stored, Some((phone, thumb)))
        }
    };
    let size = i64::try_from(stored.len()).unwrap_or(i64::MAX);
    let (by_account, in_village) =
        attachments::used(&state.db, principal.account_id, &e.unit_code).await?;
    let mib = |b: i64| b >> 20;
    if by_account + size > state.settings.person_quota() {
        let quota = mib(state.settings.person_quota());
        return Err(Error::bad(
            "file",
            format!("您上传的文件已达上限（{quota} MB），请联系乡镇干部"),
            format!("you have used your upload quota of {quota} MB; ask your township officer"),
        ));
    }
    if in_village + size > state.settings.village_quota() {
        let quota = mib(state.settings.village_quota());
        return Err(Error::bad(
            "file",
            format!("本村上传的文件已达上限（{quota} MB），请联系乡镇干部"),
            format!(
                "this village has used its upload quota of {quota} MB; ask your township officer"
            ),
        ));
    }
    let media_type = match kind {
        Kind::Pdf => "application/pdf",
        Kind::Photo(_) => "image/jpeg",
    };
    let at = now();
    let sha = state.files.put(media_type, &stored, at).await?;
    let (phone_sha, thumb_sha) = match &copies {
        Some((phone, thumb)) => (
            Some(state.files.put("image/jpeg", phone, at).await?),
            Some(state.files.put("image/jpeg", thumb, at).await?),
        ),
        None => (None, None),
    };
    let by = actor(principal.account_id, principal.person_id, "", role).person_id;
    let added = attachments::insert(
        &state.db,
        &NewAttachment {
            enrollment_id: e.id,
            sha256: &sha,
            phone_sha256: phone_sha.as_deref(),
            thumb_sha256: thumb_sha.as_deref(),
            name,
            media_type,
            size,
            uploaded_by: &by,
            account_id: principal.account_id,
            at,
            scan,
        },
    )
    .await?;
    let attachment = attachments::of(&state.db, e.id)
        .await?
        .into_iter()
        .map(|s| s.attachment)
        .find(|a| a.id == sha)
        .ok_or_else(|| anyhow::anyhow!("attachment {sha} just stored is missing"))?;
    Ok(Uploaded {
        attachment,
        existing: !added,
    })
}

/// Which copy of a photo to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// As kept (a PDF is always this).
    Kept,
    /// The phone-sized copy, 1,280 px.
    Phone,
    /// The thumbnail, 240 px (the phone copy for photos without one).
    Thumb,
}

/// The bytes of attachment `sha` of enrollment `id` (a photo's copy of
/// `size`), with its media type and name, if `principal` may view the
/// enrollment.
pub async fn fetch(
    state: &AppState,
    principal: &Principal,
    id: i64,
    sha: &str,
    size: Size,
) -> Result<(String, String, Vec<u8>), Error> {
    let (e, _) = reach(state, principal, id, Capability::ViewEnrollment).await?;
    let missing = || Error::not_found("没有这个附件", "no such attachment");
    let stored = attachments::of(&state.db, e.id)
        .await?
        .into_iter()
        .find(|s| s.attachment.id == sha)
        .ok_or_else(missing)?;
    let copy = match size {
        Size::Kept => None,
        Size::Phone => stored.phone.as_ref(),
        Size::Thumb => stored.thumb.as_ref().or(stored.phone.as_ref()),
    };
    let (file, media_type) = match copy {
        Some(copy) => (copy.clone(), "image/jpeg".to_owned()),
        None => (sha.to_owned(), stored.attachment.media_type.clone()),
    };
    let bytes = state.files.get(&file).await?.ok_or_else(missing)?;
    Ok((media_type, stored.attachment.name, bytes))
}

/// A character a file name must not carry: control characters, and the
/// invisible and text-direction marks (the right-to-left override turns
/// `photo_gpj.exe` into something that reads as a photo).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Photo(ImageFormat),
    Pdf,
}

/// What the bytes are, by their first bytes, whatever the upload claimed.
fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Photo(ImageFormat::Jpeg))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Photo(ImageFormat::Png))
    } else if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else {
        None
    }
}

/// A photo upright and re-encoded (no metadata survives), its phone-sized
/// copy and its thumbnail, all JPEG.
fn photo(bytes: &[u8], format: ImageFormat) -> Result<(Vec<u8>, Vec<u8>, Vec<u8>), Error> {
    let unreadable = |e: image::ImageError| {
        Error::bad(
            "file",
            "照片无法读取，请重新拍摄或换一张",
            format!("the photo cannot be read: {e}"),
        )
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Error::bad(
            "file",
            "照片像素过多",
            format!("the photo is {w}×{h}; at most {MAX_PIXELS} pixels"),
        ));
    }
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let image = if image.width().max(image.height()) > KEPT_SIDE {
        image.resize(KEPT_SIDE, KEPT_SIDE, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let full = jpeg(&image, 85)?;
    let phone = if image.width().max(image.height()) > PHONE_SIDE {
        image.resize(
            PHONE_SIDE,
            PHONE_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        image
    };
    let thumb = phone.thumbnail(THUMB_SIDE, THUMB_SIDE);
    Ok((full, jpeg(&phone, 80)?, jpeg(&thumb, 70)?))
}

fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&image.to_rgb8())
        .map_err(|e| anyhow::anyhow!("encoding a JPEG: {e}"))?;
    Ok(out)
}
