/** Types of layout.js for the TypeScript specs (the dashboard itself is plain JavaScript). */
export interface LayoutNode {
  readonly id: string;
  readonly kind?: 'service' | 'workload';
  readonly namespace?: string;
  readonly name?: string;
}

export interface LayoutLink {
  readonly source: string;
  readonly target: string;
}

export interface Position {
  readonly layer: number;
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

export function impliedLinks(nodes: readonly Required<LayoutNode>[]): LayoutLink[];

export function layered(
  nodes: readonly LayoutNode[],
  links: readonly LayoutLink[],
  options?: { colWidth?: number; rowHeight?: number; margin?: number; nodeWidth?: number },
): { pos: Map<string, Position>; width: number; height: number; nodeWidth: number };
