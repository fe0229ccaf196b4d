// The tests' Slack driver is the one the playground uses: signed requests to the app as Slack sends them.
export * from '../../src/sandbox/slack/driver.js';
