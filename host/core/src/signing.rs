//! Signed packages. A province signs its module packages with its ed25519
//! key (`baton keys new` makes one: the public half in the database, the
//! private half in a file the province keeps; `baton plugin sign` signs).
//! The signature is a custom section appended to the component, covering
//! every byte before it. The host checks it when a package is published —
//! by the owning province's key, unchanged — and again whenever a stored
//! package is loaded, so a package changed in the database is refused,
//! named, instead of run. Once a province has a key, its packages must be
//! signed.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::db::{Db, signing_keys};
use crate::error::Error;
use baton_sdk::Text;

/// The custom section's name.
pub const SECTION: &str = "baton:signature";

/// What the section carries (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Payload {
    /// The signing key's id.
    key: String,
    /// How many bytes it covers: all of them before the section.
    signed: usize,
    /// The ed25519 signature, hex.
    sig: String,
}

/// A signature found at the end of a package.
#[derive(Debug, Clone)]
pub struct Found {
    /// The signing key's id.
    pub key_id: String,
    /// The bytes it covers: the package as it was signed.
    pub signed: usize,
    signature: Signature,
}

/// A key's id: the first 8 bytes of its public key's sha256, hex.
pub fn key_id(public: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(public.as_bytes())[..8])
}

/// A new key from the operating system's random source.
pub fn new_key() -> SigningKey {
    let mut secret = [0u8; 32];
    rand::fill(&mut secret);
    SigningKey::from_bytes(&secret)
}

/// The file a province keeps its key in.
pub fn key_file(key: &SigningKey, province: Option<&str>) -> String {
    format!(
        "baton signing key {}\nprovince {}\nsecret {}\n",
        key_id(&key.verifying_key()),
        province.unwrap_or("national"),
        hex::encode(key.to_bytes())
    )
}

/// The key in a file [`key_file`] wrote.
pub fn read_key_file(text: &str) -> anyhow::Result<SigningKey> {
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("secret "))
        .ok_or_else(|| anyhow::anyhow!("not a Baton signing key file (no `secret` line)"))?;
    let bytes: [u8; 32] = hex::decode(secret.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| anyhow::anyhow!("the key file's secret is not 32 bytes of hex"))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// `bytes` (without any signature they carry) signed with `key`.
pub fn sign(bytes: &[u8], key: &SigningKey) -> Vec<u8> {
    let content = &bytes[..read(bytes).map_or(bytes.len(), |f| f.signed)];
    let payload = Payload {
        key: key_id(&key.verifying_key()),
        signed: content.len(),
        sig: hex::encode(key.sign(content).to_bytes()),
    };
    let mut out = content.to_vec();
    out.extend(section(&payload));
    out
}

/// The custom section carrying `payload`, encoded.
fn section(payload: &Payload) -> Vec<u8> {
    let json = serde_json::to_vec(payload).expect("a payload serializes");
    let mut content = leb128(SECTION.len());
    content.extend(SECTION.as_bytes());
    content.extend(json);
    let mut out = vec![0u8];
    out.extend(leb128(content.len()));
    out.extend(content);
    out
}

fn leb128(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// The signature at the end of `bytes`, if it ends with one: the section
/// must be the package's last and encode exactly what it says.
pub fn read(bytes: &[u8]) -> Option<Found> {
    let name = SECTION.as_bytes();
    let at = bytes.windows(name.len()).rposition(|w| w == name)?;
    let payload: Payload = serde_json::from_slice(&bytes[at + name.len()..]).ok()?;
    let tail = bytes.get(payload.signed..)?;
    if tail != section(&payload).as_slice() {
        return None;
    }
    let signature: [u8; 64] = hex::decode(&payload.sig).ok()?.try_into().ok()?;
    Some(Found {
        key_id: payload.key,
        signed: payload.signed,
        signature: Signature::from_bytes(&signature),
    })
}

/// Whether `found` is a signature of its part of `bytes` by `public`.
fn holds(bytes: &[u8], found: &Found, public: &VerifyingKey) -> bool {
    public
        .verify_strict(&bytes[..found.signed], &found.signature)
        .is_ok()
}

fn refused(zh: String, en: String) -> Error {
    Error::InvalidPackage(vec![Text::new(zh, en)])
}

/// Checks the signature of a package published for `owner` (`None`: the
/// nation): present when the owner has a key, made by one of the owner's
/// live keys, over the package as it is. Returns the key's id.
pub async fn check_publish(
    db: &Db,
    owner: Option<&str>,
    bytes: &[u8],
) -> Result<Option<String>, Error> {
    let whose = owner.unwrap_or("national");
    let Some(found) = read(bytes) else {
        if signing_keys::live(db, owner).await?.is_empty() {
            return Ok(None);
        }
        return Err(refused(
            format!("{whose} 的模块包须经本省密钥签名，请先用 baton plugin sign 签名"),
            format!(
                "{whose} signs its packages: this one is unsigned; sign it with `baton plugin sign`"
            ),
        ));
    };
    let key = signing_keys::get(db, &found.key_id).await?;
    let Some(key) = key.filter(|k| k.revoked_at.is_none()) else {
        return Err(refused(
            format!("签名密钥 {} 未登记或已吊销", found.key_id),
            format!(
                "signed by key {}, which is not registered or is revoked",
                found.key_id
            ),
        ));
    };
    if key.province_code.as_deref() != owner {
        let signer = key.province_code.as_deref().unwrap_or("national");
        return Err(refused(
            format!(
                "此包由 {signer} 的密钥 {} 签名，不是 {whose} 的",
                found.key_id
            ),
            format!("signed by {signer}'s key {}, not {whose}'s", found.key_id),
        ));
    }
    if !holds(bytes, &found, &key.public) {
        return Err(refused(
            format!(
                "签名与包内容不符：签名后包被改动过（密钥 {}）",
                found.key_id
            ),
            format!(
                "the signature does not match: the package was changed after it was signed (key {})",
                found.key_id
            ),
        ));
    }
    Ok(Some(found.key_id))
}

/// Checks a stored package before it is loaded: its bytes hash to the
/// sha256 stored with it, and, if it was signed, the signature still holds
/// by a live key. `label` names it in the refusal.
pub async fn check_stored(
    db: &Db,
    label: &str,
    bytes: &[u8],
    sha256: &str,
    signed_by: Option<&str>,
) -> Result<(), Error> {
    if hex::encode(Sha256::digest(bytes)) != sha256 {
        return Err(anyhow::anyhow!(
            "stored package {label} does not match its sha256 {sha256}: it was changed after it was published; refused"
        )
        .into());
    }
    let Some(key_id) = signed_by else {
        return Ok(());
    };
    let key = signing_keys::get(db, key_id).await?;
    let held = match (read(bytes), key) {
        (Some(found), Some(key)) if key.revoked_at.is_none() && found.key_id == key_id => {
            holds(bytes, &found, &key.public)
        }
        _ => false,
    };
    if !held {
        return Err(anyhow::anyhow!(
            "stored package {label}: its signature by key {key_id} no longer holds (changed, or the key revoked); refused"
        )
        .into());
    }
    Ok(())
}

/// Makes a key for `province` (`None`: the nation), registers its public
/// half, and returns the key (to write to the province's file).
pub async fn register(db: &Db, province: Option<&str>, now: i64) -> Result<SigningKey, Error> {
    if let Some(code) = province {
        match crate::db::org_units::get(db, code).await? {
            Some((unit, _)) if unit.level == crate::db::org_units::Level::Province => {}
            _ => {
                return Err(Error::bad(
                    "province",
                    format!("{code} 不是省级单位代码"),
                    format!("{code} is not a province's code"),
                ));
            }
        }
    }
    let key = new_key();
    let public = key.verifying_key();
    signing_keys::insert(
        db,
        &key_id(&public),
        province,
        &hex::encode(public.as_bytes()),
        now,
    )
    .await?;
    Ok(key)
}

pub use signing_keys::Key;

/// The registered keys, newest first.
pub async fn keys(db: &Db) -> Result<Vec<Key>, Error> {
    Ok(signing_keys::all(db).await?)
}

/// Revokes key `key_id`: it signs nothing new, and what it signed no
/// longer loads. Whether it was there to revoke.
pub async fn revoke(db: &Db, key_id: &str, now: i64) -> Result<bool, Error> {
    Ok(signing_keys::revoke(db, key_id, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_every_byte_before_it_and_survives_re_signing() {
        let key = new_key();
        let package = b"\0asm\x0d\0\x01\0 some component bytes".to_vec();
        let signed = sign(&package, &key);
        let found = read(&signed).expect("found");
        assert_eq!(found.signed, package.len());
        assert!(holds(&signed, &found, &key.verifying_key()));
        // Re-signing replaces the signature instead of stacking one.
        let again = sign(&signed, &new_key());
        assert_eq!(read(&again).expect("found").signed, package.len());
        // One byte changed anywhere before it, and it no longer holds.
        let mut changed = signed.clone();
        changed[10] ^= 1;
        let found = read(&changed).expect("still found");
        assert!(!holds(&changed, &found, &key.verifying_key()));
        // Another key's public half does not verify it.
        let found = read(&signed).expect("found");
        assert!(!holds(&signed, &found, &new_key().verifying_key()));
        // Bytes after the section: not a signature at the end.
        let mut trailing = signed.clone();
        trailing.push(0);
        assert!(read(&trailing).is_none());
        assert!(read(&package).is_none());
    }

    #[test]
    fn a_key_file_reads_back() {
        let key = new_key();
        let text = key_file(&key, Some("500000000000"));
        assert_eq!(
            read_key_file(&text).expect("reads").to_bytes(),
            key.to_bytes()
        );
        assert!(read_key_file("secret 12").is_err());
    }
}
