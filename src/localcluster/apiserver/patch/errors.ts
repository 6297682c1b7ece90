/** A patch the server cannot apply. `status` is the HTTP status kube-apiserver answers with. */
export class PatchError extends Error {
  override readonly name = 'PatchError';

  constructor(
    readonly status: 400 | 409 | 415 | 422,
    message: string,
  ) {
    super(message);
  }
}
