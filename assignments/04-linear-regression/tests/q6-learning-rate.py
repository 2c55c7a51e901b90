OK_FORMAT = True

test = {   'name': 'q6-learning-rate',
    'points': 1,
    'suites': [{'cases': [{'code': '>>> assert 0 < good_lr < bad_lr\n', 'hidden': False, 'locked': False, 'points': 0}], 'scored': True, 'setup': '', 'teardown': '', 'type': 'doctest'}]}
