/** Endpoint syntax, checked without loading the AWS SDK (BSL validation and URL parsing stay cheap). */
import { FerryError } from '../../util/errors.js';

export function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new FerryError('ConfigInvalid', `invalid S3 endpoint ${JSON.stringify(endpoint)}: not a URL`, {
      hint: 'give the server as http(s)://host[:port], e.g. https://minio.example.com:9000',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FerryError('ConfigInvalid', `invalid S3 endpoint ${JSON.stringify(endpoint)}: the scheme must be http or https`, {
      hint: 'give the server as http(s)://host[:port], e.g. https://minio.example.com:9000',
    });
  }
}
