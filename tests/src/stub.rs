//! Stand-ins for the gateways the outbox delivers to, on a local port: an
//! SMS gateway (`/sms`) and group robots (`/wecom`, `/dingtalk`, or any
//! other path) that record what they receive and answer as the real ones
//! do, or fail with a 500 while `fail` is set; a DingTalk robot in 加签
//! mode (`/dingtalk-signed`) that checks `timestamp` and `sign` against
//! [`DINGTALK_SECRET`] as DingTalk does and refuses a wrong one; Aliyun's
//! and Tencent Cloud's `SendSms` (`/aliyun`, `/tencent`), which check the
//! request's signature under [`VENDOR_SECRET`] as each vendor documents —
//! computed here by HMAC's own definition, not the product's code — and
//! answer as the vendor does, refusing a wrong one; and an SMTP sink.
//! Never the internet.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};

/// One request a stub received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path it was sent to, without the leading slash: `sms`, `wecom`…
    pub path: String,
    /// Its JSON body.
    pub body: Value,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its query string.
    pub query: String,
    /// Whether the stub took it (a robot in 加签 mode refuses a wrong sign).
    pub accepted: bool,
}

/// The 加签 secret of the stub's `/dingtalk-signed` robot.
pub const DINGTALK_SECRET: &str =
    "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";

/// Whether `query` carries DingTalk's signature for its own timestamp:
/// `sign` = base64(HMAC-SHA256(secret, "timestamp\nsecret")), URL-encoded,
/// computed here independently of the product's code.
fn dingtalk_sign_ok(query: &str) -> bool {
    use sha2::Digest as _;
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let (timestamp, sign) = (param("timestamp"), param("sign"));
    // HMAC-SHA256 by its definition (RFC 2104), over sha2.
    // A key longer than the hash's block (DingTalk's are 67 bytes) is its hash.
    let long = sha2::Sha256::digest(DINGTALK_SECRET.as_bytes());
    let key: &[u8] = if DINGTALK_SECRET.len() > 64 {
        &long
    } else {
        DINGTALK_SECRET.as_bytes()
    };
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = sha2::Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(format!("{timestamp}\n{DINGTALK_SECRET}"))
        .finalize();
    let mac = sha2::Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    let expected = encode_base64(&mac)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    !timestamp.is_empty() && sign == expected
}

/// The AccessKeySecret (Aliyun) or SecretKey (Tencent) the vendor stubs
/// check signatures under.
pub const VENDOR_SECRET: &str = "baton-vendor-secret-0123456789";

/// HMAC (RFC 2104) over any 64-byte-block hash, by its definition.
fn hmac<D: sha2::Digest>(key: &[u8], message: &[u8]) -> Vec<u8> {
    let hashed;
    let key = if key.len() > 64 {
        hashed = D::digest(key).to_vec();
        &hashed[..]
    } else {
        key
    };
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = D::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    D::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// RFC 3986's percent-encoding, as Aliyun's signature wants it.
fn rfc3986(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether an Aliyun RPC form body carries its own signature: the other
/// parameters sorted and encoded, `POST&%2F&…`, HMAC-SHA1 under the
/// secret and `&`, base64.
fn aliyun_sign_ok(body: &str) -> bool {
    let Ok(mut pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(body) else {
        return false;
    };
    let Some(at) = pairs.iter().position(|(k, _)| k == "Signature") else {
        return false;
    };
    let (_, signature) = pairs.remove(at);
    pairs.sort();
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", rfc3986(k), rfc3986(v)))
        .collect();
    let to_sign = format!("POST&%2F&{}", rfc3986(&query.join("&")));
    let mac = hmac::<sha1::Sha1>(format!("{VENDOR_SECRET}&").as_bytes(), to_sign.as_bytes());
    encode_base64(&mac) == signature
}

/// Whether a Tencent Cloud request carries TC3-HMAC-SHA256 over its own
/// content type, host and body at its `X-TC-Timestamp`.
fn tencent_sign_ok(headers: &HeaderMap, body: &str) -> bool {
    use sha2::Digest as _;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let authorization = header("authorization");
    let Some(signature) = authorization.split("Signature=").nth(1) else {
        return false;
    };
    let Some(date) = authorization
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').nth(1))
    else {
        return false;
    };
    let timestamp = header("x-tc-timestamp");
    let canonical = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        header("content-type"),
        header("host"),
        hex::encode(sha2::Sha256::digest(body.as_bytes()))
    );
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{}",
        hex::encode(sha2::Sha256::digest(canonical.as_bytes()))
    );
    let key = hmac::<sha2::Sha256>(format!("TC3{VENDOR_SECRET}").as_bytes(), date.as_bytes());
    let key = hmac::<sha2::Sha256>(&key, b"sms");
    let key = hmac::<sha2::Sha256>(&key, b"tc3_request");
    hex::encode(hmac::<sha2::Sha256>(&key, to_sign.as_bytes())) == signature
}

fn encode_base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[derive(Clone, Default)]
struct Shared {
    received: Arc<Mutex<Vec<Received>>>,
    fail: Arc<AtomicBool>,
}

/// The stub gateways, while they live.
pub struct Stub {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    shared: Shared,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn receive(
    State(shared): State<Shared>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    if shared.fail.load(Ordering::SeqCst) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "gateway down".into());
    }
    let query = query.unwrap_or_default();
    let accepted = match path.as_str() {
        "dingtalk-signed" => dingtalk_sign_ok(&query),
        "aliyun" => aliyun_sign_ok(&body),
        "tencent" => tencent_sign_ok(&headers, &body),
        _ => true,
    };
    // Aliyun's form body, as its parameters; JSON as JSON.
    let body: Value = if path == "aliyun" {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    } else {
        serde_json::from_str(&body).unwrap_or(Value::String(body))
    };
    shared.received.lock().expect("lock").push(Received {
        path: path.clone(),
        body,
        headers,
        query,
        accepted,
    });
    let answer = if path == "sms" {
        json!({"code": "OK"})
    } else if path == "aliyun" {
        if accepted {
            json!({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"})
        } else {
            json!({"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation.", "RequestId": "F655A8D6"})
        }
    } else if path == "tencent" {
        if accepted {
            json!({"Response": {"SendStatusSet": [{"SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": "+8613812345678", "Fee": 1, "Code": "Ok", "Message": "send success"}], "RequestId": "a0aabda6"}})
        } else {
            json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated."}, "RequestId": "a0aabda7"}})
        }
    } else if !accepted {
        // DingTalk's answer to a wrong signature.
        json!({"errcode": 310000, "errmsg": "sign not match"})
    } else {
        json!({"errcode": 0, "errmsg": "ok"})
    };
    (StatusCode::OK, answer.to_string())
}

impl Stub {
    /// Starts the stubs on a free port.
    pub async fn start() -> Self {
        let shared = Shared::default();
        let app = Router::new()
            .route("/{path}", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, shared, task }
    }

    /// What was received at `path` so far.
    pub fn at(&self, path: &str) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .expect("lock")
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Makes every gateway answer 500 (`true`) or work again.
    pub fn fail(&self, fail: bool) {
        self.shared.fail.store(fail, Ordering::SeqCst);
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One e-mail the SMTP sink accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The envelope's sender (`MAIL FROM`).
    pub from: String,
    /// The envelope's recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message as sent (headers and encoded body), dot-unstuffed.
    pub data: Vec<u8>,
}

#[derive(Clone, Default)]
struct Mailbox {
    mails: Arc<Mutex<Vec<Mail>>>,
    fail: Arc<AtomicBool>,
}

/// An SMTP server on a local port that keeps every message it is sent, or
/// refuses each with `451` (try again later) while `fail` is set. Plain
/// SMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT): what a relay inside a
/// province's network speaks; no TLS, no AUTH.
pub struct SmtpSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    mailbox: Mailbox,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// Starts the sink on a free port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let port = listener.local_addr().expect("address").port();
        let mailbox = Mailbox::default();
        let shared = mailbox.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, shared.clone()));
            }
        });
        Self {
            port,
            mailbox,
            task,
        }
    }

    /// The messages accepted so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mailbox.mails.lock().expect("lock").clone()
    }

    /// Refuses every message with 451 (`true`) or accepts them again.
    pub fn fail(&self, fail: bool) {
        self.mailbox.fail.store(fail, Ordering::SeqCst);
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(socket: tokio::net::TcpStream, mailbox: Mailbox) -> std::io::Result<()> {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 stub ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let argument = |prefix: &str| {
            command[prefix.len().min(command.len())..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        let answer: &[u8] = match verb.as_str() {
            "EHLO" => b"250-stub\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                b"250 OK\r\n"
            }
            "MAIL" if mailbox.fail.load(Ordering::SeqCst) => {
                b"451 4.3.0 mailbox temporarily unavailable\r\n"
            }
            "MAIL" => {
                from = argument("MAIL FROM:");
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(argument("RCPT TO:"));
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    if lines.read_until(b'\n', &mut raw).await? == 0 {
                        return Ok(());
                    }
                    if raw == b".\r\n" {
                        break;
                    }
                    let unstuffed = if raw.starts_with(b"..") {
                        &raw[1..]
                    } else {
                        &raw[..]
                    };
                    data.extend_from_slice(unstuffed);
                }
                mailbox.mails.lock().expect("lock").push(Mail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 command not implemented\r\n",
        };
        write.write_all(answer).await?;
    }
}
