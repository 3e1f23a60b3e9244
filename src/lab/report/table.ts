/** The one table shape both renderers draw: plain-text cells, escaped by the renderer. Pure. */

export type Align = 'left' | 'right';

export interface Column {
  label: string;
  align: Align;
}

export interface Table {
  /** Stable id: the HTML table's id. */
  id: string;
  title: string;
  /** One sentence under the title saying how to read the table. */
  description?: string;
  columns: Column[];
  rows: string[][];
}

export const left = (label: string): Column => ({ label, align: 'left' });
export const right = (label: string): Column => ({ label, align: 'right' });
