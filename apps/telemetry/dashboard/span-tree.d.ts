/** Types of span-tree.js for the TypeScript specs (the dashboard itself is plain JavaScript). */
export interface TreeSpan {
  readonly id: string;
  readonly parentId?: string;
  readonly timestamp?: number;
}

export function ordered<S extends TreeSpan>(spans: readonly S[]): { span: S; depth: number }[];
