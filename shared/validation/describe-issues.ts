export interface DescribeIssuesOptions {
  /** Names the value itself when an issue has an empty path (`(item)`, `(root)`, `input`). */
  root?: string;
  /** At most this many issues, so one very broken input stays a readable line. */
  max?: number;
}

/** A zod error as one readable line, `path: message; path: message`, for operators and API callers. */
/** Structural, so an error that crossed a module boundary (instanceof fails) is read the same way. */
export interface IssueList {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

export function describeIssues(error: IssueList, options: DescribeIssuesOptions = {}): string {
  return error.issues
    .slice(0, options.max ?? error.issues.length)
    .map((i) => `${i.path.join('.') || (options.root ?? '')}: ${i.message}`)
    .join('; ');
}

/** How a malformed item or job is worded for operators and the platform: the item named, five issues at most. */
export const ITEM_ISSUES: DescribeIssuesOptions = { root: '(item)', max: 5 };
