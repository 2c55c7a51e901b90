OK_FORMAT = True

test = {   'name': 'q3-has-diverged',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert has_diverged([201.0, 69681.0, float('inf')]) is True\n>>> assert has_diverged([201.0, 131.52, 87.05]) is False\n",
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
