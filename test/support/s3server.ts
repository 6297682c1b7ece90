// The S3 tests' server: npm s3rver in a child process (see src/localcluster/objectstore/s3rver.ts).
export { startS3rver as startS3Server } from '../../src/localcluster/objectstore/s3rver.js';
export type { S3rver as S3Server, S3rverOptions as S3ServerOptions } from '../../src/localcluster/objectstore/s3rver.js';
