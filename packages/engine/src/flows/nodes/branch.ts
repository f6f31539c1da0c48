/** Branch: the first condition that holds names the state taken; none holds -> `no_match`. */
import type { BranchCondition, BranchNode } from '../flow-schema.ts';
import type { NodeResult, RunContext } from '../run-context.ts';

export function holds(op: BranchCondition['operator'], actual: string, expected: string): boolean {
  const a = actual.trim();
  const e = expected.trim();
  switch (op) {
    case 'equals':
      return a === e;
    case 'not_equals':
      return a !== e;
    case 'contains':
      return a.includes(e);
    case 'starts_with':
      return a.startsWith(e);
    case 'ends_with':
      return a.endsWith(e);
    // Numeric comparisons need two numbers: "abc" > 3 is false, not an error.
    case 'greater_than':
      return a !== '' && e !== '' && Number.isFinite(Number(a)) && Number.isFinite(Number(e)) && Number(a) > Number(e);
    case 'less_than':
      return a !== '' && e !== '' && Number.isFinite(Number(a)) && Number.isFinite(Number(e)) && Number(a) < Number(e);
    case 'is_empty':
      return a === '';
    case 'is_not_empty':
      return a !== '';
  }
}

export async function branch(node: BranchNode, rc: RunContext): Promise<NodeResult> {
  for (const c of node.conditions) {
    const actual = await rc.render(c.variable);
    const expected = await rc.render(c.value);
    if (holds(c.operator, actual, expected)) return { state: c.state, variables: { matched: c.state, value: actual } };
  }
  return { state: 'no_match', variables: { matched: '' } };
}
