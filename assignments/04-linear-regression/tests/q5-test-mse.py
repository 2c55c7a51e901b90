OK_FORMAT = True

test = {   'name': 'q5-test-mse',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> _X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])\n'
                                               '>>> assert abs(float(test_mse(_X, torch.tensor([1.0, 3.0, 5.0]), torch.tensor([2.0, 0.0]))) - 1.0) < 1e-05\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
