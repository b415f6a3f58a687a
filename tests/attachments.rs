//! Evidence photos and PDFs through the real router (both backends): a
//! photo's GPS position is gone from what is stored, its phone-sized copy
//! is phone-sized, a PDF is kept as it came, anything else is refused by
//! field with nothing stored, only those who may view the enrollment fetch
//! the files, the module is told what they are, and the page uploads one.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_host::demo;
use baton_tests::api::Api;
use baton_tests::per_backend;
use baton_tests::png;

/// A JPEG whose EXIF says where it was taken (a GPS IFD with a latitude).
/// A photo as a phone camera takes one: shapes, texture and sensor noise,
/// JPEG at quality 92.
fn camera_photo(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 24) as f32 - 12.0;
        let (fx, fy) = (x as f32, y as f32);
        let wall = 120.0 + 60.0 * (fx / 37.0).sin() * (fy / 53.0).cos();
        let brick = if (y / 40 + x / 90) % 2 == 0 {
            30.0
        } else {
            -20.0
        };
        let sky = if fy < height as f32 / 3.0 { 80.0 } else { 0.0 };
        let v = |base: f32| (base + noise).clamp(0.0, 255.0) as u8;
        image::Rgb([
            v(wall + brick),
            v(wall * 0.8 + sky),
            v(90.0 + sky + brick / 2.0),
        ])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode_image(&image)
        .expect("encodes");
    jpeg
}

/// The sizes of an attachment as kept, as the phone copy and as the thumbnail.
async fn sizes_of(api: &Api, token: &str, id: i64, sha: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for size in ["", "?size=phone", "?size=thumb"] {
        let got = api
            .get(token, &format!("/enrollments/{id}/attachments/{sha}{size}"))
            .await;
        assert_eq!(got.status, StatusCode::OK);
        out.push(got.body.len());
    }
    out
}

fn photo_with_gps(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&image)
        .expect("encodes");
    // TIFF, little-endian: IFD0 points at a GPS IFD holding GPSLatitudeRef "N".
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x8825u16.to_le_bytes());
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(2u32.to_le_bytes());
    tiff.extend(*b"N\0\0\0");
    tiff.extend(0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let len = u16::try_from(app1.len() + 2).expect("short");
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(len.to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// Records file `sha` as uploaded to another enrollment, straight in the
/// database (no demo login may act there).
async fn elsewhere_has(test: &baton_tests::TestDb, enrollment: i64, sha: &str, name: &str) {
    baton_core::db::attachments::put_file(&test.db, sha, "image/jpeg", b"\xFF\xD8\xFF", 0)
        .await
        .expect("stored");
    baton_core::db::attachments::insert(
        &test.db,
        &baton_core::db::attachments::NewAttachment {
            enrollment_id: enrollment,
            sha256: sha,
            phone_sha256: None,
            thumb_sha256: None,
            name,
            media_type: "image/jpeg",
            size: 1,
            uploaded_by: "someone",
            account_id: 1,
            at: 0,
            scan: false,
        },
    )
    .await
    .expect("recorded");
}

fn has_exif(jpeg: &[u8]) -> bool {
    jpeg.windows(6).any(|w| w == b"Exif\0\0")
}

per_backend! {
    async fn evidence_is_stored_without_its_location_and_shown_only_in_scope(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let handover = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;

        let original = photo_with_gps(2000, 1500);
        assert!(has_exif(&original), "the test photo carries EXIF");
        let sent = api.upload(&outgoing, handover, "公章印模.jpg", original.clone()).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.json());
        let uploaded = sent.json();
        let sha = uploaded["id"].as_str().expect("an id").to_owned();
        assert_eq!(uploaded["name"], "公章印模.jpg");
        assert_eq!(uploaded["media_type"], "image/jpeg");
        let by = uploaded["uploaded_by"].as_str().expect("who");
        assert!(!by.is_empty() && !by.starts_with("account-"), "the cadre's person id: {by}");

        let stored = api.get(&outgoing, &format!("/enrollments/{handover}/attachments/{sha}")).await;
        assert_eq!(stored.status, StatusCode::OK);
        assert!(!has_exif(&stored.body), "no EXIF (and so no GPS position) is stored");
        let full = image::load_from_memory(&stored.body).expect("a JPEG");
        assert_eq!((full.width(), full.height()), (2000, 1500));
        let phone = api.get(&outgoing, &format!("/enrollments/{handover}/attachments/{sha}?size=phone")).await;
        let small = image::load_from_memory(&phone.body).expect("a JPEG");
        assert_eq!((small.width(), small.height()), (1280, 960));
        assert!(phone.body.len() < stored.body.len());
        // The thumbnail a page shows at 120 px is served at 240 px.
        let thumb = api.get(&outgoing, &format!("/enrollments/{handover}/attachments/{sha}?size=thumb")).await;
        assert_eq!(thumb.status, StatusCode::OK);
        let tiny = image::load_from_memory(&thumb.body).expect("a JPEG");
        assert_eq!((tiny.width(), tiny.height()), (240, 180));
        let odd = api.get(&outgoing, &format!("/enrollments/{handover}/attachments/{sha}?size=huge")).await;
        assert_eq!(odd.status, StatusCode::BAD_REQUEST);
        // A camera's photo, detail and sensor noise in it: its thumbnail
        // stays under 20 KB (its phone copy was ~700 KB on a real one).
        let camera = camera_photo(3264, 2448);
        let sent = api.upload(&outgoing, handover, "村部.jpg", camera).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.json());
        let camera_sha = sent.json()["id"].as_str().expect("an id").to_owned();
        let sizes: Vec<usize> = sizes_of(&api, &outgoing, handover, &camera_sha).await;
        assert!(sizes[2] <= 20 * 1024, "the thumbnail is {} bytes (phone copy {}, kept {})", sizes[2], sizes[1], sizes[0]);

        // The same photo again is the same attachment.
        let again = api.upload(&outgoing, handover, "again.jpg", original).await;
        assert_eq!(again.json()["existing"], true);
        let pdf = api.upload(&outgoing, handover, "签字清单.pdf", b"%PDF-1.4\n%%EOF\n".to_vec()).await;
        assert_eq!(pdf.status, StatusCode::CREATED);
        let picture = api.upload(&outgoing, handover, "资产.png", png(300, 200)).await;
        assert_eq!(picture.json()["media_type"], "image/jpeg", "a PNG is kept as a JPEG copy");

        // Anything else is refused, by field, and nothing is stored.
        let before = api.count("SELECT COUNT(*) FROM attachments").await;
        for (name, bytes) in [("a.gif", b"GIF89a....".to_vec()), ("a.txt", "你好".as_bytes().to_vec()), ("", b"%PDF-1.4".to_vec())] {
            let refused = api.upload(&outgoing, handover, name, bytes).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{name}");
            let field = if name.is_empty() { "name" } else { "file" };
            assert_eq!(refused.json()["field"], field, "{}", refused.json());
        }
        let broken = api.upload(&outgoing, handover, "broken.jpg", vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).await;
        assert_eq!(broken.json()["field"], "file", "{}", broken.json());
        assert_eq!(api.count("SELECT COUNT(*) FROM attachments").await, before);

        // Only those who may view the enrollment fetch it: the township sees
        // its village's; the county trainer not another county's.
        let township = api.token("township").await;
        let county = api.token("county").await;
        let path = format!("/enrollments/{handover}/attachments/{sha}");
        assert_eq!(api.get(&township, &path).await.status, StatusCode::OK);
        assert_eq!(api.get(&county, &path).await.status, StatusCode::OK);
        let elsewhere = api.enrollment_of(&nation, demo::OTHER_COUNTY_VILLAGE, "handover").await;
        elsewhere_has(&test, elsewhere, &sha, "别县.jpg").await;
        let theirs = format!("/enrollments/{elsewhere}/attachments/{sha}");
        assert_eq!(api.get(&county, &theirs).await.status, StatusCode::FORBIDDEN);
        let list = api.get(&county, &format!("/api/v1/enrollments/{elsewhere}/attachments")).await;
        assert_eq!(list.status, StatusCode::FORBIDDEN);
        // An attachment of another enrollment is not this one's.
        let crossed = format!("/enrollments/{handover}/attachments/{}", "0".repeat(64));
        assert_eq!(api.get(&township, &crossed).await.status, StatusCode::NOT_FOUND);

        // The module is told what the files are, never their bytes.
        let e = baton_core::db::enrollments::get(&test.db, handover).await.expect("reads").expect("exists");
        let ctx = baton_host::acting::village_context(&api.state, &e, baton_sdk::Actor::public(), baton_sdk::Locale::ZhCn, 0)
            .await
            .expect("a context");
        let names: Vec<&str> = ctx.attachments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["公章印模.jpg", "村部.jpg", "签字清单.pdf", "资产.png"]);
        assert_eq!(ctx.attachments[0].id, sha);
        test.cleanup().await;
    }
}

per_backend! {
    /// The module page's upload form: CSRF-checked, the photo then shown as
    /// a thumbnail; a wrong file named beside the form.
    async fn the_page_uploads_a_photo_and_shows_its_thumbnail(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let handover = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let cookie = format!("baton_session={}", api.token("outgoing").await);
        let page = |path: String| {
            Request::get(path)
                .header(header::COOKIE, cookie.clone())
                .body(Body::empty())
                .expect("request")
        };
        let shown = api.send(page(format!("/enrollments/{handover}"))).await;
        let html = String::from_utf8_lossy(&shown.body).into_owned();
        let at = html.find("name=\"_csrf\" value=\"").expect("a CSRF token") + 20;
        let csrf = html[at..at + 32].to_owned();
        assert!(html.contains("enctype=\"multipart/form-data\""), "an upload form");
        let post = |csrf: &str, name: &str, bytes: &[u8]| {
            let mut body = Vec::new();
            body.extend(format!("--XYZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n").as_bytes());
            body.extend(format!("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend(bytes);
            body.extend(b"\r\n--XYZ--\r\n");
            Request::post(format!("/enrollments/{handover}/attachments"))
                .header(header::COOKIE, cookie.clone())
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XYZ")
                .body(Body::from(body))
                .expect("request")
        };
        let forged = api.send(post("0".repeat(32).as_str(), "a.png", &png(10, 10))).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // Refused like any refused form: 422, the page again with the reason.
        let wrong = api.send(post(&csrf, "a.txt", b"hello")).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(String::from_utf8_lossy(&wrong.body).contains("只能上传照片（JPEG、PNG）或 PDF 文件"));
        let sent = api.send(post(&csrf, "印模.png", &png(40, 30))).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let location = sent.headers[header::LOCATION].to_str().expect("ascii").to_owned();
        let after = api.send(page(location)).await;
        let html = String::from_utf8_lossy(&after.body).into_owned();
        assert!(html.contains("已上传"), "{html}");
        assert!(html.contains("?size&#x3D;thumb\" alt=\"印模.png\"") || html.contains("?size=thumb\" alt=\"印模.png\""), "{html}");
        test.cleanup().await;
    }
}

per_backend! {
    /// The handover's declaration carries photos: picked on the form from
    /// the enrollment's uploads, shown as thumbnails to the township officer;
    /// an unknown photo, or another enrollment's, is refused by field.
    async fn a_declaration_carries_photos_the_township_then_sees(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let handover = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let elsewhere = api.enrollment_of(&nation, demo::OTHER_TOWNSHIP_VILLAGE, "handover").await;
        let sent = api.upload(&outgoing, handover, "公章印模.png", png(64, 48)).await;
        let sha = sent.json()["id"].as_str().expect("an id").to_owned();

        let cookie = format!("baton_session={outgoing}");
        let outgoing_page = || {
            let request = Request::get(format!("/enrollments/{handover}"))
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .expect("request");
            api.send(request)
        };
        let page = outgoing_page().await;
        let html = String::from_utf8_lossy(&page.body).into_owned();
        assert!(
            html.contains(&format!("name=\"photos\" value=\"{sha}\"")),
            "the declare form offers the upload as a photo to pick"
        );

        let declare = |photos: Vec<String>| {
            serde_json::json!({"item": "seals", "entries": [{"name": "公章", "quantity": 1}], "photos": photos})
        };
        // Unknown: nothing uploaded has it (one hex digit changed).
        let near = format!("{}{}", if sha.starts_with('a') { 'b' } else { 'a' }, &sha[1..]);
        for (key, photo) in [("p-1", "0".repeat(64)), ("p-2", near)] {
            let refused = api.act(&outgoing, handover, key, "declare", declare(vec![photo])).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.json());
            assert_eq!(refused.json()["fields"][0]["field"], "photos.0");
        }
        // A photo of another enrollment is not this one's.
        elsewhere_has(&test, elsewhere, &"e".repeat(64), "别村.jpg").await;
        let theirs = api.act(&outgoing, handover, "p-3", "declare", declare(vec!["e".repeat(64)])).await;
        assert_eq!(theirs.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(api.count(&format!("SELECT COUNT(*) FROM signoffs WHERE enrollment_id = {handover}")).await, 0);

        let declared = api.act(&outgoing, handover, "p-4", "declare", declare(vec![sha.clone()])).await;
        assert_eq!(declared.status, StatusCode::OK, "{}", declared.json());
        // Declared, the item reads as saved to the outgoing cadre; a
        // correction starts from what was declared, its photo still ticked.
        let again = outgoing_page().await;
        let html = String::from_utf8_lossy(&again.body).into_owned();
        let item = &html[html.find("id=\"item-seals\"").expect("the seals item")..];
        let item = &item[..item.find("</article>").expect("its end")];
        assert!(item.contains("已申报，等待新任书记清点接收") && !item.contains("请申报本项移交清单"), "{item}");
        assert!(item.contains("申报移交清单 · 修改清单"), "the form is a correction: {item}");
        assert!(item.contains("name=\"entries.0.name\" value=\"公章\""), "the declared entry filled in: {item}");
        assert!(item.contains(&format!("name=\"photos\" value=\"{sha}\" checked")), "the declared photo ticked: {item}");
        let township = format!("baton_session={}", api.token("township").await);
        let seen = api
            .send(
                Request::get(format!("/enrollments/{handover}"))
                    .header(header::COOKIE, &township)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        let html = String::from_utf8_lossy(&seen.body).into_owned();
        assert!(
            html.contains(&format!("<img src=\"/enrollments/{handover}/attachments/{sha}?size&#x3D;thumb\""))
                || html.contains(&format!("<img src=\"/enrollments/{handover}/attachments/{sha}?size=thumb\"")),
            "the township officer sees the photo's thumbnail: {html}"
        );
        test.cleanup().await;
    }
}

per_backend! {
    /// Paper comes back (issue 40): the printed record, signed in ink and
    /// sealed, is scanned and uploaded against it from the print page; it is
    /// listed beside the record, and `/verify` says whether there is one.
    async fn the_signed_paper_record_comes_back_and_verify_says_so(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let handover = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let declared = api
            .act(&outgoing, handover, "s-1", "declare", serde_json::json!({"item": "seals", "entries": [{"name": "公章", "quantity": 1}]}))
            .await;
        assert_eq!(declared.status, StatusCode::OK, "{}", declared.json());
        let cookie = format!("baton_session={}", api.token("township").await);
        let get = |path: String| {
            Request::get(path).header(header::COOKIE, cookie.clone()).body(Body::empty()).expect("request")
        };
        let text = |r: &baton_tests::api::Reply| String::from_utf8_lossy(&r.body).into_owned();
        let printed = text(&api.send(get(format!("/enrollments/{handover}?print=1"))).await);
        assert!(printed.contains("纸质记录回传") && printed.contains("name=\"scan\" value=\"1\""), "{printed}");
        let at = printed.find("class=\"code\">").expect("the record's code") + 13;
        let code: String = printed[at..].chars().take(19).collect();
        let verify = |code: String| Request::get(format!("/verify?code={code}")).body(Body::empty()).expect("request");
        let before = text(&api.send(verify(code.clone())).await);
        assert!(before.contains("尚未回传扫描件"), "{before}");

        let at = printed.find("name=\"_csrf\" value=\"").expect("a CSRF token") + 20;
        let csrf = printed[at..at + 32].to_owned();
        let fields = [("_csrf", csrf.as_str()), ("scan", "1")];
        let sent = api.post_form_file(&cookie, &format!("/enrollments/{handover}/attachments"), &fields, "signed.png", &png(60, 80)).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        assert_eq!(sent.headers[header::LOCATION], format!("/enrollments/{handover}?print=1&saved=scan"));
        let page = text(&api.send(get(format!("/enrollments/{handover}"))).await);
        assert!(page.contains("签字盖章扫描件 · "), "listed beside the record as the scan: {page}");
        let after = text(&api.send(verify(code)).await);
        assert!(after.contains("签字盖章的纸质记录已回传 1 份"), "{after}");
        // Through the API too, marked as the scan.
        let township = api.token("township").await;
        let via_api = api.post_raw(&township, &format!("/api/v1/enrollments/{handover}/attachments?name=second.png&scan=true"), "application/octet-stream", png(61, 80)).await;
        assert_eq!(via_api.status, StatusCode::CREATED, "{}", via_api.json());
        assert_eq!(api.count(&format!("SELECT COUNT(*) FROM attachments WHERE enrollment_id = {handover} AND scan = 1")).await, 2);
        test.cleanup().await;
    }
}
