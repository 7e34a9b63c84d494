// A node:test reporter that only counts: individual tests passed, failed and skipped
// (suites are not tests). It writes one JSON object when the run ends.
export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') {
      // a suite that failed outside its tests (a hook threw) still counts as a failure
      if (event.type === 'test:fail' && event.data.details?.error?.failureType !== 'subtestsFailed') counts.failed += 1;
      continue;
    }
    if (event.data.skip || event.data.todo) counts.skipped += 1;
    else if (event.type === 'test:pass') counts.passed += 1;
    else counts.failed += 1;
  }
  yield JSON.stringify(counts);
}
