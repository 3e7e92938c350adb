/** Why a review operation was refused; the API maps `status` to the HTTP answer. */
export class ReviewError extends Error {
  override readonly name = 'ReviewError';
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: 'not_found' | 'forbidden' | 'claimed_by_other' | 'not_open' | 'nothing_to_reverse' | 'bad_decision',
    message: string,
  ) {
    super(message);
  }
}

export const caseNotFound = (id: string) => new ReviewError(404, 'not_found', `no review case for ${id}`);

