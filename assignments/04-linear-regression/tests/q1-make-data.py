OK_FORMAT = True

test = {   'name': 'q1-make-data',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> _X, _y = make_data(6, torch.tensor([2.0, -1.0]), 0)\n'
                                               '>>> assert _X.shape == (6, 2) and _y.shape == (6,)\n'
                                               '>>> assert torch.all(_X[:, 1] == 1) and torch.all(_X[:, 0].abs() <= 1.15)\n'
                                               '>>> assert torch.equal(make_data(6, torch.tensor([2.0, -1.0]), 0)[1], _y)\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
