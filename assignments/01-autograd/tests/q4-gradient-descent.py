OK_FORMAT = True

test = {   'name': 'q4-gradient-descent',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert abs(gradient_descent(lambda x: (x - 2) ** 2, 0.0, 0.1, 1) - 0.4) < 1e-06\n'
                                               '>>> assert abs(gradient_descent(lambda x: (x - 2) ** 2, 0.0, 0.1, 100) - 2.0) < 0.001\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
