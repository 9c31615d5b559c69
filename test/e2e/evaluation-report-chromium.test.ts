import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluate } from '../../shared/src/evaluate/index.js';
import { silentLog } from '../../shared/src/logging/index.js';
import { PENGUINS_FIXTURE, saveTfjsPenguinsModel } from '../unit/models/penguins-fixture.js';

/**
 * evaluate's HTML report, looked at as a person would: Debian's Chromium renders it headless and
 * takes a screenshot. Every request the browser makes goes to a recording proxy on 127.0.0.1, and
 * the browser's log shows any console message: the page must make no request and log nothing.
 */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
// Chromium's own background calls (component updater, network time), not the page's.
const BROWSER_OWN = [
  /^http:\/\/clients2\.google\.com\/time\//,
  /^http:\/\/update\.googleapis\.com\/service\//,
];

const work = mkdtempSync(join(tmpdir(), 'mlops-report-chromium-'));
let proxy: Server;
let port = 0;
const requests: string[] = [];

beforeAll(async () => {
  proxy = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  port = (proxy.address() as { port: number }).port;
});

afterAll(() => {
  proxy.close();
});

function render(page: string, screenshot: string): Promise<{ console: string[]; requests: string[] }> {
  requests.length = 0;
  return new Promise((done, fail) => {
    execFile(
      CHROMIUM!,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        `--proxy-server=http://127.0.0.1:${port}`,
        '--proxy-bypass-list=<-loopback>',
        '--enable-logging=stderr',
        '--v=0',
        `--screenshot=${screenshot}`,
        '--window-size=1200,4000',
        pathToFileURL(page).href,
      ],
      { timeout: 120_000 },
      (error, _stdout, stderr) => {
        if (error) return fail(error);
        done({
          console: stderr.split('\n').filter((line) => /:CONSOLE[:(]/.test(line)),
          requests: requests.filter((r) => !BROWSER_OWN.some((own) => own.test(r.split(' ')[1] ?? ''))),
        });
      },
    );
  });
}

const describeWithChromium = CHROMIUM || process.env.CI ? describe : describe.skip;
if (!CHROMIUM && !process.env.CI)
  console.warn('evaluation report test skipped: Debian chromium is not installed (apt-get install chromium)');

describeWithChromium('the evaluation report in Chromium', () => {
  it('catches a page that makes a request or logs to the console (negative control)', async () => {
    const page = join(work, 'bad.html');
    writeFileSync(
      page,
      '<!doctype html><html><body><img src="http://example.invalid/x.png"><script>console.error("x")</script></body></html>',
    );
    const seen = await render(page, join(work, 'bad.png'));
    expect(seen.requests.join('\n')).toContain('example.invalid');
    expect(seen.console.length).toBeGreaterThan(0);
  }, 150_000);

  it('renders evaluate’s report with its charts, no request and no console message', async () => {
    const model = await saveTfjsPenguinsModel(join(work, 'model'));
    copyFileSync(join(PENGUINS_FIXTURE, 'preprocessing.json'), join(work, 'model', 'preprocessing.json'));
    const result = await runEvaluate(
      {
        model,
        data: resolve(PENGUINS_FIXTURE, 'eval.csv'),
        slices: ['Island'],
        fairness: { features: ['Sex'], intersection: false, minGroupSize: 30 },
        confidence: 0.95,
        bootstrap: 100,
        seed: 1,
        latency: false,
        output: 'out/metrics.json',
        workingDirectory: work,
      },
      silentLog,
    );
    const html = readFileSync(result.reportPath, 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|url\(|@import|https?:\/\//i);
    for (const heading of [
      'Metrics',
      'Confusion matrix',
      'ROC curve',
      'Precision-recall curve',
      'Calibration',
      'Slices',
      'Fairness',
    ])
      expect(html).toContain(`<h2>${heading}</h2>`);
    const screenshot = join(work, 'report.png');
    const seen = await render(result.reportPath, screenshot);
    expect(seen.requests).toEqual([]);
    expect(seen.console).toEqual([]);
    // A blank page compresses to a few kB; a page of tables and curves does not.
    expect(statSync(screenshot).size).toBeGreaterThan(30_000);
  }, 150_000);

  it('renders a regression report with its predicted-against-actual chart', async () => {
    // Real data: miles per gallon of vega's cars, predicted from weight by a straight line.
    const cars = JSON.parse(readFileSync('node_modules/vega-datasets/data/cars.json', 'utf8')) as {
      Miles_per_Gallon: number | null;
      Weight_in_lbs: number;
    }[];
    const rows = cars
      .filter((c) => c.Miles_per_Gallon !== null)
      .map((c) => `${c.Miles_per_Gallon},${(46.2 - 0.0076 * c.Weight_in_lbs).toFixed(3)}`);
    const predictions = join(work, 'cars-predictions.csv');
    writeFileSync(predictions, `y_true,y_pred\n${rows.join('\n')}\n`);
    const result = await runEvaluate(
      {
        predictions,
        task: 'regression',
        confidence: 0.95,
        bootstrap: 100,
        seed: 1,
        latency: false,
        output: 'reg/metrics.json',
        workingDirectory: work,
      },
      silentLog,
    );
    const html = readFileSync(result.reportPath, 'utf8');
    expect(html).toContain('<h2>Predicted against actual</h2>');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|url\(|@import|https?:\/\//i);
    // 20 bins: 20 markers on the chart, and the table's first bin starts at the lowest prediction.
    expect(html.match(/<circle /g)?.length).toBe(20);
    const lowest = Math.min(...rows.map((r) => Number(r.split(',')[1])));
    expect(html).toContain(`<td>${lowest}</td>`);
    const seen = await render(result.reportPath, join(work, 'regression.png'));
    expect(seen.requests).toEqual([]);
    expect(seen.console).toEqual([]);
  }, 150_000);
});
