// Jest runs the TypeScript sources as ES modules (NODE_OPTIONS=--experimental-vm-modules, set by
// `npm run test:jest`); babel-jest strips the types. Only the Jest flavour of the tests.
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/*.jest.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '\\.ts$': ['babel-jest', { presets: [['@babel/preset-typescript', { allowDeclareFields: true }]], babelrc: false, configFile: false }] },
};
