// @temporalio/proto ships this module without a declaration; it exports the protobufjs reflection root.
declare module '@temporalio/proto/protos/json-module.js' {
  import type { Root } from 'protobufjs';
  const root: Root;
  export default root;
}
