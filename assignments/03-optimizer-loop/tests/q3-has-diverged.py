OK_FORMAT = True

test = {   'name': 'q3-has-diverged',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': ">>> assert has_diverged([201.0, 69681.0, float('inf')]), 'a loss that reaches inf has diverged'\n"
                                               ">>> assert not has_diverged([201.0, 131.52, 87.05]), 'a decreasing loss has not diverged'\n",
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
