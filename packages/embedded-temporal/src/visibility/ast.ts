/** A literal as written; its meaning depends on the attribute it is compared with. */
export type Literal =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; text: string; pos: number }
  | { kind: 'bool'; value: boolean; pos: number };

export interface AttributeRef {
  name: string;
  pos: number;
}

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'compare'; attr: AttributeRef; op: ComparisonOperator; value: Literal }
  | { kind: 'in'; attr: AttributeRef; negated: boolean; values: Literal[] }
  | { kind: 'between'; attr: AttributeRef; negated: boolean; low: Literal; high: Literal }
  | { kind: 'startsWith'; attr: AttributeRef; negated: boolean; value: Literal }
  | { kind: 'isNull'; attr: AttributeRef; negated: boolean };

export interface OrderItem {
  attr: AttributeRef;
  descending: boolean;
}

export interface ParsedQuery {
  where: Expr | undefined;
  orderBy: OrderItem[];
}
