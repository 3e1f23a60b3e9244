/** The lab report: LabResults in, report.md and report.html out. */
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';
export { buildReport, type ReportDocument } from './document.js';
export { summarizeStrategies, compareRun, type StrategySummary, BASELINE } from './aggregate.js';
export { decideVerdict, disqualification, THROUGHPUT_FLOOR, type Verdict } from './verdict.js';
