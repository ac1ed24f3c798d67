// @temporalio/proto ships this module without a declaration; it exports the protobufjs reflection root.
declare module '@temporalio/proto/protos/json-module.js' {
  const root: import('protobufjs').Root;
  export default root;
}
