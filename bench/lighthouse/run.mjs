// One Lighthouse run of a signed-in page: `node run.mjs URL desktop|mobile OUT.json` with the
// session's cookies as JSON ([{name, value}]) on stdin. Called by bench/lighthouse.py.
//
// The cookies go into the browser's own cookie jar, not into `--extra-headers`: Dash's renderer
// reads the CSRF cookie from document.cookie to send it back as X-CSRFToken, which a Cookie
// header cannot give it (every callback got 400), and once the page's answer has put any cookie
// in the jar, Chromium sends the jar's cookies instead of the header's (every script got 401).
// Lighthouse resets storage before it loads the page, but leaves cookies alone.
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';
import lighthouse, {desktopConfig} from 'lighthouse';

const [url, formFactor, out] = process.argv.slice(2);
const cookies = JSON.parse(fs.readFileSync(0, 'utf8'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  await browser.setCookie(...cookies.map(c => ({...c, domain: new URL(url).hostname, path: '/'})));
  const page = await browser.newPage();
  const flags = {
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility', 'best-practices'],
  };
  const config = formFactor === 'desktop' ? desktopConfig : undefined;
  const result = await lighthouse(url, flags, config, page);
  fs.writeFileSync(out, result.report);
} finally {
  await browser.close();
}
