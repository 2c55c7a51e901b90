OK_FORMAT = True

test = {   'name': 'q4-normal-equation',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> _X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])\n'
                                               '>>> assert torch.allclose(normal_equation(_X, torch.tensor([1.0, 3.0, 5.0])), torch.tensor([2.0, 1.0]), atol=0.0001)\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
