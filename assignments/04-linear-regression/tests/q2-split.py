OK_FORMAT = True

test = {   'name': 'q2-split',
    'points': 1,
    'suites': [   {   'cases': [   {   'code': '>>> _a, _b, _c, _d = split(torch.arange(8.0).reshape(4, 2), torch.arange(4.0), 0.75)\n'
                                               '>>> assert _a.shape == (3, 2) and _b.shape == (1, 2)\n'
                                               '>>> assert torch.equal(_c, torch.tensor([0.0, 1.0, 2.0])) and torch.equal(_d, torch.tensor([3.0]))\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
