// Create CSV/HTML table (spec §6.21): pure text layout over already evaluated cells.

const htmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const csvEscape = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Lays out a table. CSV lines end with CRLF, the last one included [spec §6.21]. */
export function formatTable(format: 'CSV' | 'HTML', headers: string[], rows: string[][]): string {
  if (format === 'CSV') {
    let out = headers.map(csvEscape).join(',') + '\r\n';
    for (const r of rows) out += r.map(csvEscape).join(',') + '\r\n';
    return out;
  }
  let out = '<table><thead><tr>';
  for (const h of headers) out += `<th>${htmlEscape(h)}</th>`;
  out += '</tr></thead><tbody>';
  for (const r of rows) {
    out += '<tr>';
    for (const c of r) out += `<td>${htmlEscape(c)}</td>`;
    out += '</tr>';
  }
  return out + '</tbody></table>';
}
