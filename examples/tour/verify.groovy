// Run by the invoker plugin after `mvn verify` of this example: the tour must have run to its end.
def log = new File(basedir, 'build.log').text
assert log.contains('Tour finished: 13 echoes done.') : 'the tour did not finish'
assert !log.contains('WARNING: A restricted method') : 'native access was not enabled'
