OK_FORMAT = True

test = {   'name': 'q5-rss-gradient',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])\n'
                                               '>>> _y = torch.tensor([[1.0], [2.0], [3.0]])\n'
                                               '>>> assert torch.allclose(rss_gradient(_X, _y, torch.zeros(2, 1)), torch.tensor([[-8 / 3], [-10 / 3]]))\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
