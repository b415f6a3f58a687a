// A province's own module, built in the browser by its organisation
// department with no programmer: the editor at 1366 px (and usable at
// 390 px), a third step added, the preview, publish, assign to a township
// (the form says how many will enrol), then the outgoing cadre, the township
// officer, the secretary and a member complete it on phones, and the county
// finds it in its work list. Run by tests/browser.rs:
//   BASE=… CHROMIUM=… SHOTS=… PHOTO=… node procedure.mjs

import fs from 'node:fs';
import { BASE, SHOTS, launch, phone, expect, text, contains, signIn, shot, unfold } from './lib.mjs';

fs.rmSync(SHOTS, { recursive: true, force: true });
fs.mkdirSync(SHOTS, { recursive: true });
const browser = await launch();
let step = 'start';
let current = null;

async function open(user, viewport) {
  const context = await phone(browser, viewport ? { viewport } : {});
  const page = await context.newPage();
  current = page;
  await signIn(page, user);
  return page;
}

async function click(page, locator) {
  await Promise.all([page.waitForLoadState('load'), locator.click()]);
}

// The step's form (folded open), filled by `fill`, signed and sent.
async function doStep(page, n, action, fill) {
  const form = page.locator(`#step-${n} form[data-action="${action}"]`);
  expect(await form.count() === 1, `step ${n}: a ${action} form for this person`);
  await unfold(form);
  if (fill) await fill(form);
  await form.locator('[name="agree"]').check();
  await click(page, form.locator('button[type=submit]:not([name])'));
  await contains(page, '已保存');
}

try {
  step = 'the province builds a procedure in the editor';
  let href;
  {
    const page = await open('province', { width: 1366, height: 900 });
    await click(page, page.locator('a[href="/province/definitions"]').first());
    await contains(page, '新建办理程序');
    await page.fill('[name="config.title.zh"]', '离任干部荣退（试点）');
    await page.selectOption('[name="config.steps.0.photos"]', 'required');
    // 再加一行: a third step, everything typed kept.
    await click(page, page.locator('button[name="_more"][value="config.steps"]'));
    expect(await page.inputValue('[name="config.title.zh"]') === '离任干部荣退（试点）', 'the title typed is kept');
    await page.fill('[name="config.steps.2.title.zh"]', '座谈听取意见');
    await page.selectOption('[name="config.steps.2.who"]', 'member');
    await page.fill('[name="config.steps.2.fields.0.label.zh"]', '意见建议');
    await page.selectOption('[name="config.steps.2.fields.0.kind"]', 'long-text');
    // A mistake: a choice with one option is refused beside it, input kept.
    await page.selectOption('[name="config.steps.1.fields.0.kind"]', 'choice');
    await click(page, page.locator('main form.editor button[type=submit]:not([name])'));
    await contains(page, '选择题至少需要两个选项');
    expect(await page.inputValue('[name="config.steps.2.title.zh"]') === '座谈听取意见', 'the third step is kept after the refusal');
    await page.selectOption('[name="config.steps.1.fields.0.kind"]', 'date');
    await click(page, page.locator('button[name="_preview"]'));
    await contains(page, '以此身份查看：乡镇干部');
    // (innerText's spaces, the full-width one after 第 3 步 too, are folded.)
    await contains(page, '第 3 步 座谈听取意见', 'section[aria-labelledby="preview-h"]');
    await shot(page, 'procedure-01-editor-1366');
    await click(page, page.locator('main form.editor button[type=submit]:not([name])'));
    await contains(page, '已保存：procedure-50-1@1.0.0');

    step = 'the province assigns it to a township, told how many will enrol';
    await click(page, page.locator('a', { hasText: '分配' }).first());
    await page.fill('#a-unit', '礼让镇');
    await page.fill('#a-due', '2099-06-30');
    await click(page, page.locator('button[name="_preview"]'));
    await contains(page, '将有 3 人（村）参加', '#a-reach');
    await click(page, page.locator('form[action="/province/assign"] button[type=submit]:not([name])'));
    await contains(page, '已分配第 1 期');
    await page.context().close();
  }

  step = 'the editor is usable at 390 px';
  {
    const page = await open('province');
    await page.goto(`${BASE}/province/definitions?module=procedure-50-1`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide <= 400, `no sideways scrolling at 390 px (the page is ${wide} px wide)`);
    await contains(page, '保存为新版本');
    await shot(page, 'procedure-02-editor-390');
    await page.context().close();
  }

  step = 'the outgoing cadre hands over with a photo';
  {
    const page = await open('outgoing');
    const link = page.locator('.card h2 a', { hasText: '离任干部荣退（试点）' }).first();
    href = await link.getAttribute('href');
    await click(page, link);
    await doStep(page, 1, 'submit', async (form) => {
      await form.locator('[name="values.0.rows.0.a"]').fill('村务档案柜钥匙');
      await form.locator('[name="values.0.rows.0.b"]').fill('2 把');
      // The photo taken inside the form: uploaded, its box ticked, what was typed kept.
      await form.locator('.pick-upload input[type=file]').setInputFiles(
        { name: '物品.png', mimeType: 'image/png', buffer: fs.readFileSync(process.env.PHOTO) });
      await form.locator('input[name="photos"]:checked').waitFor();
      expect(await form.locator('[name="values.0.rows.0.a"]').inputValue() === '村务档案柜钥匙', 'the row typed is kept');
    });
    await contains(page, '等待乡镇（街道）干部确认', '#step-1');
    await shot(page, 'procedure-03-outgoing');
    await page.context().close();
  }

  step = 'the township officer supervises (监交)';
  {
    const page = await open('township');
    await page.goto(`${BASE}${href}`);
    await doStep(page, 1, 'confirm');
    await contains(page, '确认', '#step-1 .status');
    await page.context().close();
  }

  step = 'the secretary and a member finish it';
  {
    const page = await open('secretary');
    await page.goto(`${BASE}${href}`);
    await doStep(page, 2, 'submit', async (form) => {
      await form.locator('[name="values.0.value"]').fill('2026-01-10');
      await form.locator('[name="values.1.value"]').fill('7');
    });
    await page.context().close();
    const member = await open('member');
    await member.goto(`${BASE}${href}`);
    await doStep(member, 3, 'submit', async (form) => {
      await form.locator('[name="values.0.value"]').fill('希望多听老同志意见');
    });
    await contains(member, '全部办结');
    await shot(member, 'procedure-04-done');

    step = 'the record prints on A4: no page with the title alone, lines for ink and the seal';
    await member.goto(`${BASE}${href}?print=1`);
    await contains(member, '签字盖章');
    await contains(member, '乡镇（街道） （盖章）');
    const code = await member.locator('.record-code .code').innerText();
    const digests = await member.locator('.signoffs small').allInnerTexts();
    expect(/^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/.test(code), `the record's code is its own: ${code}`);
    expect(digests.length === 4 && digests.every((d) => /签字摘要 [0-9a-f]{8}$/.test(d.trim())),
      `each sign-off's digest is short and lower-case, unlike the record's code: ${digests.join(' | ')}`);
    const pdf = (await member.pdf({ format: 'A4', printBackground: false })).toString('latin1');
    const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) || []).length;
    expect(pages >= 1 && pages <= 3, `a finished three-step record prints on at most 3 A4 pages, not ${pages}`);
    console.log(`procedure: the printed record is ${pages} A4 page(s)`);
    await member.context().close();
  }

  step = 'the county finds it in its work list';
  {
    const page = await open('county', { width: 1366, height: 900 });
    await page.goto(`${BASE}/county`);
    const t = await text(page);
    expect(t.includes('离任干部荣退（试点）'), `the procedure in the county's list: ${t.slice(0, 400)}`);
    await page.context().close();
  }
  console.log('procedure: built, previewed, assigned and completed in the browser');
} catch (e) {
  console.error(`procedure: failed at "${step}": ${e.message}`);
  if (current) await current.screenshot({ path: `${SHOTS}/procedure-failure.png`, fullPage: true }).catch(() => {});
  await browser.close();
  process.exit(1);
}
await browser.close();
