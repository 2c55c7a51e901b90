OK_FORMAT = True

test = {   'name': 'q2-derivative',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert torch.isclose(f(torch.tensor(5.0)), torch.tensor(9.0))\n'
                                               '>>> assert abs(derivative(lambda x: x ** 2, 3.0) - 6.0) < 1e-05\n'
                                               '>>> assert abs(df_at_1 - -2.0) < 1e-06\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
